package hsds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// Which files of a package hold which HSDS tables: as its descriptor says,
// or by the names HSDS gives the tables' files.

// source is a CSV file to read and the table it holds.
type source struct {
	t     *table
	path  string
	comma rune
	types map[string]string // the descriptor's types of columns HSDS does not define
}

// sources are the files of the package in fsys, by the descriptor named
// name, or by DescriptorName or the HSDS file names (see ReadPackage).
func (p *Package) sources(fsys fs.FS, name string) ([]source, error) {
	strict := name != ""
	if !strict {
		name = DescriptorName
	}
	b, err := fs.ReadFile(fsys, name)
	switch {
	case !strict && errors.Is(err, fs.ErrNotExist):
		p.Builtin = "no " + name
		return p.builtinSources(fsys)
	case err != nil:
		return nil, fmt.Errorf("descriptor: %w", err)
	case savedLink(b):
		if strict {
			return nil, fmt.Errorf("%s is a link saved as text (to %s), not a descriptor: give the package's directory to read it by Puente's own descriptor of the HSDS 3.0 tables", name, bytes.TrimSpace(b))
		}
		p.Builtin = fmt.Sprintf("%s is a link saved as text (to %s), not a descriptor", name, bytes.TrimSpace(b))
		return p.builtinSources(fsys)
	}
	return p.descriptorSources(fsys, name, b)
}

// savedLink says whether b is what git leaves of a symbolic link where it
// cannot make one: a file holding the link's target, such as
// "../../datapackage.json". Anything else that is not a descriptor is an
// error, so that a descriptor cut short is never mistaken for none.
func savedLink(b []byte) bool {
	s := string(bytes.TrimSpace(b))
	return s != "" && len(s) < 1024 && !strings.ContainsAny(s, "{}[]\"\n\r\t ") && strings.HasSuffix(s, ".json")
}

// builtinSources finds the HSDS tables by the file names HSDS gives them.
func (p *Package) builtinSources(fsys fs.FS) ([]source, error) {
	var out []source
	for _, t := range tables.order {
		switch _, err := fs.Stat(fsys, t.Path); {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, source{t: t, path: t.Path, comma: ','})
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") && tables.byPath[e.Name()] == nil {
			p.Ignored = append(p.Ignored, e.Name())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s, and none of the files HSDS 3.0 names its tables by (organizations.csv, services.csv, locations.csv …)", p.Builtin)
	}
	return out, nil
}

// packageDescriptor is what Puente reads of a package's descriptor.
type packageDescriptor struct {
	Resources []packageResource `json:"resources"`
}

// packageResource is a resource of a package's descriptor. Frictionless
// lets path be a list and dialect and schema be the paths of files; only
// the first forms are read.
type packageResource struct {
	Name     string          `json:"name"`
	Path     json.RawMessage `json:"path"`
	Data     json.RawMessage `json:"data"`
	Encoding string          `json:"encoding"`
	Dialect  json.RawMessage `json:"dialect"`
	Schema   json.RawMessage `json:"schema"`
}

func (p *Package) descriptorSources(fsys fs.FS, name string, b []byte) ([]source, error) {
	var d packageDescriptor
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: not a descriptor: %w", name, err)
	}
	if len(d.Resources) == 0 {
		return nil, fmt.Errorf("%s: lists no resources", name)
	}
	var out []source
	for i, r := range d.Resources {
		s, err := r.source(path.Dir(name))
		if err != nil {
			return nil, fmt.Errorf("%s: resource %d (%s): %w", name, i+1, r.Name, err)
		}
		if s.t == nil {
			p.Ignored = append(p.Ignored, s.path)
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: names no HSDS 3.0 table", name)
	}
	return out, nil
}

// source is the file r names in the package's directory dir, and its
// table: the one HSDS gives r's name, or else its file name.
func (r packageResource) source(dir string) (source, error) {
	p, err := r.path()
	if err != nil {
		return source{}, err
	}
	s := source{path: path.Join(dir, p), comma: ',', types: map[string]string{}}
	if path.IsAbs(p) || strings.Contains(p, `\`) || !fs.ValidPath(s.path) {
		return s, fmt.Errorf("path %q is outside the package", p)
	}
	if e := strings.ToLower(strings.ReplaceAll(r.Encoding, "-", "")); e != "" && e != "utf8" {
		return s, fmt.Errorf("encoding %q: only UTF-8 is read", r.Encoding)
	}
	if s.comma, err = r.delimiter(); err != nil {
		return s, err
	}
	s.t = tables.byName[r.Name]
	if s.t == nil {
		s.t = tables.byPath[path.Base(p)]
	}
	var sc struct {
		Fields []column `json:"fields"`
	}
	if len(r.Schema) > 0 && r.Schema[0] == '{' {
		if err := json.Unmarshal(r.Schema, &sc); err != nil {
			return s, fmt.Errorf("schema: %w", err)
		}
	}
	for _, f := range sc.Fields {
		s.types[f.Name] = f.Type
	}
	return s, nil
}

// path is r's one local file.
func (r packageResource) path() (string, error) {
	var p string
	switch err := json.Unmarshal(r.Path, &p); {
	case len(r.Path) == 0 && len(r.Data) > 0:
		return "", errors.New("inline data is not read: give the rows in a CSV file")
	case len(r.Path) == 0:
		return "", errors.New("no path")
	case err != nil:
		return "", errors.New("path: a resource split into several files is not read: give one CSV file per table")
	case strings.Contains(p, "://"):
		return "", fmt.Errorf("path %q: remote files are not fetched: put them in the package", p)
	}
	return p, nil
}

// delimiter is the character between r's columns, which its dialect may
// set; a file must have a header row.
func (r packageResource) delimiter() (rune, error) {
	var dl struct {
		Delimiter string `json:"delimiter"`
		Header    *bool  `json:"header"`
	}
	if len(r.Dialect) > 0 && r.Dialect[0] == '{' {
		if err := json.Unmarshal(r.Dialect, &dl); err != nil {
			return 0, fmt.Errorf("dialect: %w", err)
		}
	}
	if dl.Header != nil && !*dl.Header {
		return 0, errors.New("a file without a header row is not read")
	}
	if dl.Delimiter == "" {
		return ',', nil
	}
	c, n := utf8.DecodeRuneInString(dl.Delimiter)
	if n != len(dl.Delimiter) || strings.ContainsRune("\"\r\n", c) {
		return 0, fmt.Errorf("dialect: delimiter %q is not one character", dl.Delimiter)
	}
	return c, nil
}
