// Command logql-check reads Loki rule files and LogQL queries with Loki's
// own LogQL parser (github.com/grafana/loki/v3/pkg/logql/syntax, the release
// pinned in go.mod) and prints what it read as JSON.
//
// Usage:
//
//	logql-check rules FILE    a Loki ruler file: groups of alerting and recording rules
//	logql-check query EXPR    one query, a log query or a metric query
//	logql-check lines EXPR    runs the metric query's selector and pipeline over log lines read
//	                          from stdin (one JSON object per line: {"labels": {...}, "line": "..."})
//	                          and prints, for each, whether it yields a sample, its value and labels
//
// A rule file fails (error printed, exit 1) on: YAML Loki would not read
// (unknown fields included), a group without a name or named twice, a rule
// that is not exactly one of alert/record, an expression that is not a
// metric query (rules evaluate to samples), a bad `for` duration, a bad
// record or label name.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/grafana/loki/v3/pkg/logql/syntax"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"gopkg.in/yaml.v3"
)

type rule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type group struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval"`
	Limit    int    `yaml:"limit"`
	Rules    []rule `yaml:"rules"`
}

type file struct {
	Groups []group `yaml:"groups"`
}

// What a rule became after parsing: its expression as Loki prints it back.
type parsed struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Expr  string `json:"expr"`
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "rules" && os.Args[1] != "query" && os.Args[1] != "lines") {
		fmt.Fprintln(os.Stderr, "usage: logql-check rules FILE | logql-check query EXPR | logql-check lines EXPR < LINES")
		os.Exit(2)
	}
	var out any
	var err error
	switch os.Args[1] {
	case "rules":
		out, err = rules(os.Args[2])
	case "query":
		out, err = query(os.Args[2])
	default:
		out, err = lines(os.Args[2], os.Stdin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

func query(q string) (map[string]string, error) {
	e, err := syntax.ParseExpr(q)
	if err != nil {
		return nil, err
	}
	kind := "log"
	if _, ok := e.(syntax.SampleExpr); ok {
		kind = "metric"
	}
	return map[string]string{"kind": kind, "expr": e.String()}, nil
}

func rules(path string) ([]parsed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Groups) == 0 {
		return nil, fmt.Errorf("%s: no rule groups", path)
	}
	seen := map[string]bool{}
	out := []parsed{}
	for _, g := range f.Groups {
		if g.Name == "" {
			return nil, fmt.Errorf("%s: a group has no name", path)
		}
		if seen[g.Name] {
			return nil, fmt.Errorf("%s: group %q is defined twice", path, g.Name)
		}
		seen[g.Name] = true
		if g.Interval != "" {
			if _, err := model.ParseDuration(g.Interval); err != nil {
				return nil, fmt.Errorf("group %q: interval: %w", g.Name, err)
			}
		}
		if len(g.Rules) == 0 {
			return nil, fmt.Errorf("group %q has no rules", g.Name)
		}
		for i, r := range g.Rules {
			p, err := check(r)
			if err != nil {
				return nil, fmt.Errorf("group %q, rule %d: %w", g.Name, i+1, err)
			}
			p.Group = g.Name
			out = append(out, p)
		}
	}
	return out, nil
}

func check(r rule) (parsed, error) {
	p := parsed{}
	switch {
	case r.Alert != "" && r.Record != "":
		return p, fmt.Errorf("both alert %q and record %q", r.Alert, r.Record)
	case r.Alert != "":
		p.Kind, p.Name = "alert", r.Alert
	case r.Record != "":
		p.Kind, p.Name = "record", r.Record
		if !metricName.MatchString(r.Record) {
			return p, fmt.Errorf("record %q is not a valid metric name", r.Record)
		}
		if r.For != "" || len(r.Annotations) > 0 {
			return p, fmt.Errorf("record %q: a recording rule takes no `for` or annotations", r.Record)
		}
	default:
		return p, fmt.Errorf("neither alert nor record")
	}
	if r.Expr == "" {
		return p, fmt.Errorf("%s: no expr", p.Name)
	}
	e, err := syntax.ParseSampleExpr(r.Expr)
	if err != nil {
		return p, fmt.Errorf("%s: expr is not a LogQL metric query: %w", p.Name, err)
	}
	p.Expr = e.String()
	if r.For != "" {
		if _, err := model.ParseDuration(r.For); err != nil {
			return p, fmt.Errorf("%s: for: %w", p.Name, err)
		}
	}
	for k := range r.Labels {
		if !labelName.MatchString(k) {
			return p, fmt.Errorf("%s: label %q is not a valid label name", p.Name, k)
		}
	}
	return p, nil
}

// A log line as the tests feed it: its stream's labels and its text.
type entry struct {
	Labels map[string]string `json:"labels"`
	Line   string            `json:"line"`
}

// What the query's pipeline made of one line.
type sample struct {
	Matched bool              `json:"matched"`
	Value   float64           `json:"value,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// lines runs the sample extractor of a metric query (its selector's matchers, filters,
// parsers and label filters, as Loki's engine does per line) over each line.
func lines(q string, in io.Reader) ([]sample, error) {
	e, err := syntax.ParseSampleExpr(q)
	if err != nil {
		return nil, err
	}
	extractors, err := e.Extractors()
	if err != nil {
		return nil, err
	}
	if len(extractors) != 1 {
		return nil, fmt.Errorf("expected a query over one selector, got %d", len(extractors))
	}
	// The stream selector is the store's to apply (the extractor never sees it): a line of another stream is no sample.
	groups, err := syntax.MatcherGroups(e)
	if err != nil {
		return nil, err
	}
	if len(groups) != 1 {
		return nil, fmt.Errorf("expected a query over one selector, got %d matcher groups", len(groups))
	}
	selects := func(stream map[string]string) bool {
		for _, m := range groups[0].Matchers {
			if !m.Matches(stream[m.Name]) {
				return false
			}
		}
		return true
	}
	out := []sample{}
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; scanner.Scan(); n++ {
		var en entry
		if err := json.Unmarshal(scanner.Bytes(), &en); err != nil {
			return nil, fmt.Errorf("input line %d: %w", n, err)
		}
		if !selects(en.Labels) {
			out = append(out, sample{Matched: false})
			continue
		}
		stream := labels.FromMap(en.Labels)
		samples, ok := extractors[0].ForStream(stream).Process(int64(n), []byte(en.Line), labels.EmptyLabels())
		if !ok || len(samples) == 0 {
			out = append(out, sample{Matched: false})
			continue
		}
		out = append(out, sample{Matched: true, Value: samples[0].Value, Labels: samples[0].Labels.Labels().Map()})
	}
	return out, scanner.Err()
}
