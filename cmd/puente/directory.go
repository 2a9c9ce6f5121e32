package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"puente/internal/hsds"
)

const directoryHelp = `Usage: puente directory import --hsds FILE [--data DIR] [--db URL]
       puente directory export --hsds DIR [--format json] [--force] [--data DIR] [--db URL]

Imports and exports the services directory as Open Referral HSDS 3.0.

import reads an HSDS JSON file of organizations, services,
service_at_locations or locations (one object, a list, or an HSDA page; the
file name says which, as in service_full.json or services.json), and saves
every listing it can. It prints each object or listing it rejects and why,
and exits with status 1 if it rejected any, after saving the rest. A file
that cannot be read whole (not JSON, cut short) saves nothing.
Whom a service takes, the needs it meets and its beds travel as attributes
of the taxonomy "puente-eligibility"; a service without a "needs" attribute
is rejected.

export writes DIR/services.json: every active service, with its
organization, languages, attributes and locations. A confidential location
leaves with only its city, state and country and coordinates rounded to
0.1°, never its name, address or exact place. DIR must be empty unless
--force is given.

The tabular datapackage (CSV) is not supported yet.

Examples:
  puente directory import --hsds services.json
  puente directory export --hsds ./hsds-export
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
	path := fs.String("hsds", "", "HSDS JSON `file` to import")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("directory import: unexpected argument %q", fs.Arg(0))
	}
	if *path == "" {
		return errors.New("directory import: --hsds FILE is required")
	}
	f, err := os.Open(*path)
	if err != nil {
		return fmt.Errorf("directory import: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("directory import: %s is a directory: only HSDS JSON files are supported, not yet the tabular datapackage", *path)
	}
	// The whole file is read and mapped before anything is saved, so a file
	// that cannot be read whole saves nothing.
	file, read, err := hsds.ReadJSON(f, filepath.Base(*path))
	if err != nil {
		return fmt.Errorf("directory import: nothing imported: %w", err)
	}
	listings, mapped := hsds.ToListings(&file.Dataset)
	db, _, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	rejected := append(read.Rejected, mapped.Rejected...)
	saved := 0
	for i := range listings {
		l := &listings[i]
		if err := db.SaveListing(ctx, l); err != nil {
			rejected = append(rejected, hsds.Rejection{ID: l.Service.ID + " at " + l.Location.ID, Reason: describe(err)})
			continue
		}
		saved++
	}
	fmt.Fprintf(out, "Read %d %s objects from %s; imported %d listings; rejected %d.\n", read.Imported, file.Kind, *path, saved, len(rejected))
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
	format := fs.String("format", "json", "`format`: json")
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
	if *format != "json" {
		return fmt.Errorf("directory export: --format %q: only json is supported (csv is not yet)", *format)
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
	name := filepath.Join(*dir, "services.json")
	w, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("directory export: %w", err)
	}
	if err := hsds.WriteJSON(w, &hsds.File{Kind: hsds.KindService, Shape: hsds.List, Dataset: *data}); err != nil {
		w.Close()
		return fmt.Errorf("directory export: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("directory export: %w", err)
	}
	fmt.Fprintf(out, "Exported %d services (%d listings) to %s.\n", len(data.Services), len(listings), name)
	return nil
}
