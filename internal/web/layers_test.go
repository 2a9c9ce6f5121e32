package web

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestWebReachesDataOnlyThroughServices: the web layer takes services,
// never the store. Neither it nor anything it imports, at any depth, may
// import internal/store or database/sql, so no handler can read a case
// around the service that decides, fetches and audits.
func TestWebReachesDataOnlyThroughServices(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"puente/internal/store", "database/sql"}
	seen := map[string]string{"puente/internal/web": ""} // package → who imported it
	queue := []string{"puente/internal/web"}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		for _, imp := range packageImports(t, filepath.Join(root, strings.TrimPrefix(pkg, "puente/"))) {
			if slices.Contains(forbidden, imp) {
				t.Errorf("%s imports %s (reached from internal/web through %s)", pkg, imp, chain(seen, pkg))
			}
			if _, ok := seen[imp]; ok || !strings.HasPrefix(imp, "puente/") {
				continue
			}
			seen[imp] = pkg
			queue = append(queue, imp)
		}
	}
	if len(seen) < 10 {
		t.Fatalf("walked only %d packages: the walk is broken", len(seen))
	}
}

// packageImports lists the imports of a package's non-test files.
func packageImports(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out = append(out, p)
		}
	}
	return out
}

func chain(seen map[string]string, pkg string) string {
	var path []string
	for p := pkg; p != ""; p = seen[p] {
		path = append([]string{strings.TrimPrefix(p, "puente/internal/")}, path...)
	}
	return strings.Join(path, " → ")
}
