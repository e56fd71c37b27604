// Command compose-check loads a Docker Compose project the way `docker
// compose config` does (github.com/compose-spec/compose-go/v2), without a
// Docker engine, and fails on anything that would stop `docker compose up`
// before a container starts.
//
// Usage:
//
//	compose-check [-env-file FILE]... [-f FILE]... [DIR]
//
// DIR (default ".") is the project directory; without -f the first of
// compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in DIR
// is used (override files are not merged). Variables come only from
// the env file(s) given with -env-file (default: DIR/.env when present), not
// from this process' environment, so the result does not depend on the shell.
//
// It fails (prints the error, exits 1) on:
//   - schema errors and unknown keys;
//   - references to undefined volumes, networks, configs or secrets, and
//     other consistency errors of the loader;
//   - a missing env_file, or a file-based config or secret whose file is
//     missing;
//   - a variable that is unset and has no default (`${X}` or `$X`; `${X:-}`
//     and `${X-default}` are fine, `${X:?msg}` fails with msg).
//
// On success it prints "ok".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// strictReplacement is compose-go's default replacement for one `$X` /
// `${X...}` occurrence, except that an unset variable with no default is an
// error instead of a warning and an empty string.
func strictReplacement(s string, m template.Mapping, cfg *template.Config) (string, error) {
	value, found, err := template.DefaultReplacementAppliedFunc(s, m, cfg)
	if err == nil && !found {
		err = fmt.Errorf("variable %s is not set and has no default", s)
	}
	return value, err
}

// strictSubstitute replaces compose-go's template.Substitute.
func strictSubstitute(s string, m template.Mapping) (string, error) {
	return template.SubstituteWithOptions(s, m, template.WithReplacementFunction(strictReplacement), template.WithoutLogging)
}

func check(dir string, files, envFiles []string) error {
	if len(files) == 0 {
		// compose-go's own discovery walks up to parent directories; only DIR counts here.
		for _, name := range cli.DefaultFileNames {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				files = []string{filepath.Join(dir, name)}
				break
			}
		}
		if len(files) == 0 {
			return fmt.Errorf("no compose file (%s) in %s", strings.Join(cli.DefaultFileNames, ", "), dir)
		}
	}
	opts, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(dir),
		cli.WithEnvFiles(envFiles...), // empty: DIR/.env when it exists
		cli.WithDotEnv,                // read them (a missing explicit file is an error)
		cli.WithLoadOptions(func(o *loader.Options) {
			// Also applied to option sets that do not interpolate (nil).
			if o.Interpolate != nil {
				o.Interpolate.Substitute = strictSubstitute
			}
		}),
	)
	if err != nil {
		return err
	}
	// Loading validates the schema, interpolates, reads env_file entries and
	// checks that every referenced volume/network/config/secret is declared.
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	return checkFiles(project)
}

// checkFiles reports file-based configs and secrets whose file is missing:
// the loader resolves their paths but leaves the files to the engine.
func checkFiles(p *types.Project) error {
	var errs []error
	missing := func(kind, name, file string) {
		if file == "" {
			return
		}
		if _, err := os.Stat(file); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: file %s: %w", kind, name, file, err))
		}
	}
	for _, name := range sortedKeys(p.Configs) {
		missing("config", name, p.Configs[name].File)
	}
	for _, name := range sortedKeys(p.Secrets) {
		missing("secret", name, p.Secrets[name].File)
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func main() {
	var files, envFiles listFlag
	flag.Var(&files, "f", "compose file (repeatable; default: compose.yaml or docker-compose.yml in DIR)")
	flag.Var(&envFiles, "env-file", "env file with the variables (repeatable; default: DIR/.env when present)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [-env-file FILE]... [-f FILE]... [DIR]\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := "."
	if flag.NArg() == 1 {
		dir = flag.Arg(0)
	}
	if err := check(dir, files, envFiles); err != nil {
		fmt.Fprintln(os.Stderr, "compose-check:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}
