package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/directory"
	"puente/internal/hsds"
	"puente/internal/store"
)

const directoryHelp = `Usage: puente directory import --hsds PATH [--data DIR] [--db URL]
       puente directory export --hsds DIR [--format json|csv] [--force] [--data DIR] [--db URL]

Imports and exports the services directory as Open Referral HSDS 3.0: as
JSON, or as the tabular datapackage (CSV files and a datapackage.json).

import reads PATH whole, then saves every listing it can. PATH is one of:
  - an HSDS JSON file of organizations, services, service_at_locations or
    locations (one object, a list, or an HSDA page; the file name says
    which, as in service_full.json or services.json);
  - a tabular datapackage: its directory, or its datapackage.json. Given
    the directory, a package without a datapackage.json (or with only a
    link to one, as the specification's example holds) is read by the
    file names HSDS 3.0 gives its tables: organizations.csv, services.csv,
    service_at_location.csv, locations.csv, addresses.csv …
It prints each object, row or listing it rejects and why (a CSV row as
file:line), and exits with status 1 if it rejected any, after saving the
rest. A row that names a row the package does not hold (a
service_at_location whose service_id names no service) is rejected. A
file or package that cannot be read whole saves nothing: JSON cut short,
malformed CSV, a CSV file without a column HSDS requires, a file the
descriptor names that is missing, a descriptor that cannot be read or is
not valid JSON.
Whom a service takes, the needs it meets and its beds travel as attributes
of the taxonomy "puente-eligibility"; a service without a "needs" attribute
is rejected.

export writes every active service, with its organization, languages,
attributes and locations: as JSON, DIR/services.json; as csv, one CSV file
per HSDS table it uses (organizations.csv, services.csv,
service_at_location.csv, locations.csv, addresses.csv, languages.csv,
attributes.csv, taxonomy_terms.csv) and DIR/datapackage.json describing
them. A confidential location leaves with only its city, state and country
and coordinates rounded to 0.1°, never its name, address or exact place.
DIR must be empty unless --force is given.

Examples:
  puente directory import --hsds services.json
  puente directory import --hsds ./partner-package
  puente directory export --hsds ./hsds-export
  puente directory export --hsds ./hsds-csv --format csv
`

func runDirectory(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, directoryHelp)
		if len(args) == 0 {
			return errors.New("directory: missing subcommand (import or export)")
		}
		return nil
	}
	switch args[0] {
	case "import":
		return runDirectoryImport(ctx, args[1:], out, errOut)
	case "export":
		return runDirectoryExport(ctx, args[1:], out, errOut)
	}
	return fmt.Errorf("directory: unknown subcommand %q (want import or export)", args[0])
}

func runDirectoryImport(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("directory import", directoryHelp, out)
	var d dataFlags
	d.register(fs)
	path := fs.String("hsds", "", "HSDS JSON `file`, or a tabular datapackage's directory or datapackage.json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("directory import: unexpected argument %q", fs.Arg(0))
	}
	if *path == "" {
		return errors.New("directory import: --hsds PATH is required")
	}
	// The whole file or package is read and mapped before the store is
	// opened, so one that cannot be read whole saves nothing.
	src, err := readHSDS(*path)
	if err != nil {
		return fmt.Errorf("directory import: nothing imported: %w", err)
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	err = saveHSDS(ctx, db, src, out)
	if serr := signNow(ctx, db, kr, d.data, "directory import", errOut); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

// hsdsSource is HSDS data read whole, before anything is saved.
type hsdsSource struct {
	data *hsds.Dataset
	read hsds.Report
	what string // what was read, from where, for the summary
}

// readHSDS reads path: a tabular datapackage's directory or descriptor,
// or else an HSDS JSON file.
func readHSDS(path string) (*hsdsSource, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return readPackage(path, "")
	}
	if filepath.Base(path) == hsds.DescriptorName {
		return readPackage(filepath.Dir(path), hsds.DescriptorName)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	file, read, err := hsds.ReadJSON(f, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	return &hsdsSource{data: &file.Dataset, read: read, what: fmt.Sprintf("%d %s objects from %s", read.Imported, file.Kind, path)}, nil
}

// readPackage reads the package in dir. Its descriptor may name only files
// inside dir (hsds.ReadPackage refuses paths that leave it).
func readPackage(dir, descriptor string) (*hsdsSource, error) {
	p, read, err := hsds.ReadPackage(os.DirFS(dir), descriptor)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	how := "described by its " + hsds.DescriptorName
	if p.Builtin != "" {
		how = "read by Puente's own HSDS 3.0 tables: " + p.Builtin
	}
	if len(p.Ignored) > 0 {
		how += "; not HSDS 3.0 tables, left unread: " + strings.Join(p.Ignored, ", ")
	}
	return &hsdsSource{data: &p.Dataset, read: read, what: fmt.Sprintf("%d rows from %d files of the tabular datapackage %s (%s)", read.Imported, len(p.Files), dir, how)}, nil
}

// saveHSDS saves every listing src maps to, and reports what it took and
// what it turned away, and why.
func saveHSDS(ctx context.Context, db *store.DB, src *hsdsSource, out io.Writer) error {
	listings, mapped := hsds.ToListings(src.data)
	rejected := append(src.read.Rejected, mapped.Rejected...)
	saved := 0
	for i := range listings {
		l := &listings[i]
		err := db.Atomic(ctx, func(ctx context.Context) error {
			if err := db.SaveListing(ctx, l); err != nil {
				return err
			}
			sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
			return db.AppendAudit(ctx, audit.Of(admin.Operator, time.Now(), access.DirectoryEdit, "listing:"+sal,
				access.Decision{Allowed: true, Reason: "command line"}, "imported"))
		})
		if err != nil {
			rejected = append(rejected, hsds.Rejection{ID: l.Service.ID + " at " + l.Location.ID, Reason: describe(err)})
			continue
		}
		saved++
	}
	note := fmt.Sprintf("saved=%d rejected=%d", saved, len(rejected))
	if err := db.AppendAudit(ctx, audit.Of(admin.Operator, time.Now(), "directory.import", "", access.Decision{Allowed: true, Reason: "command line"}, note)); err != nil {
		return err
	}
	fmt.Fprintf(out, "Read %s; imported %d listings; rejected %d.\n", src.what, saved, len(rejected))
	for _, r := range rejected {
		fmt.Fprintln(out, "  rejected", r)
	}
	if len(rejected) > 0 {
		return fmt.Errorf("directory import: %d rejected", len(rejected))
	}
	return nil
}

func runDirectoryExport(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("directory export", directoryHelp, out)
	var d dataFlags
	d.register(fs)
	dir := fs.String("hsds", "", "`directory` to write the HSDS files into")
	format := fs.String("format", "json", "`format`: json (DIR/services.json) or csv (the tabular datapackage)")
	force := fs.Bool("force", false, "write into a directory that is not empty, replacing its files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("directory export: unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		return errors.New("directory export: --hsds DIR is required")
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("directory export: --format %q: want json or csv", *format)
	}
	if entries, err := os.ReadDir(*dir); err == nil && len(entries) > 0 && !*force {
		return fmt.Errorf("directory export: %s is not empty (give --force to write into it)", *dir)
	}
	db, _, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	listings, err := db.Listings(ctx)
	if err != nil {
		return err
	}
	data := hsds.FromListings(listings)
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("directory export: %w", err)
	}
	what := filepath.Join(*dir, "services.json")
	if *format == "csv" {
		err = hsds.WritePackage(data, func(name string) (io.WriteCloser, error) { return createExport(filepath.Join(*dir, name)) })
		what = "the tabular datapackage " + filepath.Join(*dir, hsds.DescriptorName)
	} else {
		err = writeJSON(what, data)
	}
	if err != nil {
		return fmt.Errorf("directory export: %w", err)
	}
	fmt.Fprintf(out, "Exported %d services (%d listings) to %s.\n", len(data.Services), len(listings), what)
	return nil
}

// createExport makes a file of an export, readable by its owner only: a
// directory holds partners' contact details.
func createExport(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}

func writeJSON(name string, data *hsds.Dataset) error {
	w, err := createExport(name)
	if err != nil {
		return err
	}
	if err := hsds.WriteJSON(w, &hsds.File{Kind: hsds.KindService, Shape: hsds.List, Dataset: *data}); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
