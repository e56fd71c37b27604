// Command alloy-syntax reads a Grafana Alloy configuration with Alloy's own
// parser and evaluator (github.com/grafana/alloy/syntax, the release Alloy
// itself builds with) and prints what it found as JSON: every block (its
// name, label, attributes and nested blocks), each attribute as the value
// Alloy evaluates it to, or, where it refers to another component's export,
// as its source text.
//
// Usage:
//
//	alloy-syntax FILE
//
// It fails (prints the error, exits 1) on anything Alloy would refuse to
// parse: unbalanced braces, a bad string escape, an attribute without a
// value, a literal that does not evaluate.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/parser"
	"github.com/grafana/alloy/syntax/vm"
)

// Block is one block of the file or of another block.
type Block struct {
	Name       string         `json:"name"`
	Label      string         `json:"label,omitempty"`
	Attributes map[string]any `json:"attributes"`
	Blocks     []Block        `json:"blocks"`
}

// reference is an attribute whose value is another component's export.
type reference struct {
	Expr string `json:"expr"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: alloy-syntax FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	file, err := parser.ParseFile(os.Args[1], data)
	if err != nil {
		fail(err)
	}
	blocks, err := body(file.Body, data)
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(blocks, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// body reads the statements of a file or block; attributes at file level are refused, as Alloy does.
func body(stmts ast.Body, src []byte) ([]Block, error) {
	blocks := []Block{}
	for _, stmt := range stmts {
		switch s := stmt.(type) {
		case *ast.BlockStmt:
			b, err := block(s, src)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, b)
		case *ast.AttributeStmt:
			return nil, fmt.Errorf("%s: attribute %q outside any block", ast.StartPos(s).Position(), s.Name.Name)
		}
	}
	return blocks, nil
}

func block(s *ast.BlockStmt, src []byte) (Block, error) {
	b := Block{Name: strings.Join(s.Name, "."), Label: s.Label, Attributes: map[string]any{}, Blocks: []Block{}}
	for _, stmt := range s.Body {
		switch inner := stmt.(type) {
		case *ast.AttributeStmt:
			if _, dup := b.Attributes[inner.Name.Name]; dup {
				return b, fmt.Errorf("%s: attribute %q set twice in %s", ast.StartPos(inner).Position(), inner.Name.Name, b.Name)
			}
			v, err := value(inner.Value, src)
			if err != nil {
				return b, fmt.Errorf("%s: %s.%s: %w", ast.StartPos(inner).Position(), b.Name, inner.Name.Name, err)
			}
			b.Attributes[inner.Name.Name] = v
		case *ast.BlockStmt:
			nested, err := block(inner, src)
			if err != nil {
				return b, err
			}
			b.Blocks = append(b.Blocks, nested)
		}
	}
	return b, nil
}

// value evaluates a literal expression; one that names something (a component's export, a function) is kept as source.
func value(e ast.Expr, src []byte) (any, error) {
	if names(e) {
		start, end := ast.StartPos(e).Offset(), ast.EndPos(e).Offset()
		return reference{Expr: string(src[start : end+1])}, nil
	}
	var v any
	if err := vm.New(e).Evaluate(vm.NewScope(nil), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// names reports whether an expression refers to an identifier anywhere in it.
func names(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.IdentifierExpr, *ast.AccessExpr, *ast.CallExpr:
		return true
	case *ast.ArrayExpr:
		for _, el := range x.Elements {
			if names(el) {
				return true
			}
		}
	case *ast.ObjectExpr:
		for _, f := range x.Fields {
			if names(f.Value) {
				return true
			}
		}
	case *ast.ParenExpr:
		return names(x.Inner)
	case *ast.UnaryExpr:
		return names(x.Value)
	case *ast.BinaryExpr:
		return names(x.Left) || names(x.Right)
	case *ast.IndexExpr:
		return names(x.Value) || names(x.Index)
	}
	return false
}
