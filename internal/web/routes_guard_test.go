package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoRouteBypassesThePolicy reads the package's source: the only calls
// that register a handler on the mux must be the one inside handle, which
// asks the access policy, and the catch-all "not found" in register. A route
// added any other way fails here.
func TestNoRouteBypassesThePolicy(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
					return true
				}
				where := fn.Name.Name
				if where == "register" {
					lit, ok := call.Args[0].(*ast.BasicLit)
					if !ok || lit.Value != `"/"` {
						t.Errorf("%s: register adds %s directly instead of through handle", fset.Position(call.Pos()), sel.Sel.Name)
					}
				} else if where != "handle" {
					t.Errorf("%s: %s registers a route without the access policy", fset.Position(call.Pos()), where)
				}
				found = append(found, where)
				return true
			})
		}
	}
	if len(found) != 2 {
		t.Errorf("found mux registrations in %v, want exactly handle and the catch-all", found)
	}
}
