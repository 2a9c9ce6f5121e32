package store_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"puente/internal/account"
	"puente/internal/directory"
	"puente/internal/problem"
	"puente/internal/secret"
	"puente/internal/store"
	"puente/internal/store/storetest"
)

// dirNow is the store's clock in the directory tests.
var dirNow = time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC)

var elPaso = directory.Point{Lat: 31.7619, Lon: -106.4850}

func ptr[T any](v T) *T { return &v }

// dirDB readies db for the directory tests: the fixed clock and a keyring.
func dirDB(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	kr, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(kr)
	dirKeys[db] = kr
	db.Now = func() time.Time { return dirNow }
	return db
}

// dirKeys remembers the keyring dirDB gave each database.
var dirKeys = map[*store.DB]*secret.Keyring{}

func keyringOf(t *testing.T, db *store.DB) *secret.Keyring {
	t.Helper()
	kr, ok := dirKeys[db]
	if !ok {
		t.Fatal("no keyring: call dirDB first")
	}
	return kr
}

// memberOrg adds a Puente organization and returns its id.
func memberOrg(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	o := &account.Organization{Name: name, Country: account.US, Kind: account.Shelter, Vetted: true}
	if err := db.CreateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// fullListing sets every field the directory types have but Confidential,
// so that the round trip covers them all (see checkAllSet).
func fullListing() directory.Listing {
	return directory.Listing{
		Organization: directory.Organization{
			ID: "org-annunciation", Name: "Annunciation House", AlternateName: "Casa Anunciación",
			Description: "A house of hospitality for migrants and refugees.", Email: "info@annunciation.example.org",
			Website: "https://annunciation.example.org",
		},
		Service: directory.Service{
			ID: "svc-shelter", OrganizationID: "org-annunciation", Name: "Emergency shelter", AlternateName: "Albergue",
			Description: "Beds, meals and showers.\nFamilies stay together.", URL: "https://annunciation.example.org/shelter",
			Email: "shelter@annunciation.example.org", Status: directory.StatusActive,
			InterpretationServices: "Spanish-speaking staff; Mam by phone.", ApplicationProcess: "Call the intake line first.",
			FeesDescription: "Free.", EligibilityDescription: "Adults of any gender, and families.", Alert: "No intake on Sundays.",
			AssuredDate: "2026-10-01", Needs: []string{"emergency_shelter", "food_clothing"},
			Eligibility: directory.Eligibility{
				Genders: []string{"woman", "man"}, MinAge: ptr(18), MaxAge: ptr(99), Exploitation: directory.AnyExploitation,
				ImmigrationStatusRequired: true, Languages: []string{"es", "en", "mam"}, Interpretation: true, Country: account.US,
				AreaServed: directory.Area{Codes: []string{"US-48141"}, RadiusKm: 50}, Cost: "free", Accessible: true,
				Beds: 20, BedsAvailable: ptr(4), AvailabilityUpdatedAt: dirNow.Add(-time.Hour),
			},
		},
		Location: directory.Location{
			ID: "loc-el-paso", LocationType: directory.Physical, URL: "https://annunciation.example.org/visit",
			OrganizationID: "org-annunciation", Name: "Casa Vides", AlternateName: "Vides", Description: "The main house.",
			Transportation: "Sun Metro route 10.", Latitude: ptr(elPaso.Lat), Longitude: ptr(elPaso.Lon),
			Addresses: []directory.Address{{
				Attention: "Intake", Address1: "325 Leon St", Address2: "Rear door", City: "El Paso", Region: "West Texas",
				StateProvince: "TX", PostalCode: "79901", Country: "US", AddressType: directory.Physical,
			}},
		},
	}
}

// checkAllSet fails when a field of v is zero, so that a field added to the
// directory types without a place in the store cannot pass the round trip.
func checkAllSet(t *testing.T, v reflect.Value, path string, except ...string) {
	t.Helper()
	for i := range v.NumField() {
		f, name := v.Field(i), path+"."+v.Type().Field(i).Name
		switch {
		case slices.Contains(except, name):
		case f.IsZero():
			t.Errorf("the fixture leaves %s zero: the round trip does not test it", name)
		case f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Time]():
			checkAllSet(t, f, name, except...)
		case f.Kind() == reflect.Slice && f.Len() > 0 && f.Index(0).Kind() == reflect.Struct:
			checkAllSet(t, f.Index(0), name+"[0]", except...)
		}
	}
}

func mustSave(t *testing.T, db *store.DB, ls ...*directory.Listing) {
	t.Helper()
	for _, l := range ls {
		if err := db.SaveListing(ctx, l); err != nil {
			t.Fatalf("SaveListing(%s): %v", l.Service.ID, err)
		}
	}
}

func mustListings(t *testing.T, db *store.DB) []directory.Listing {
	t.Helper()
	ls, err := db.Listings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func rowCount(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestServiceAtLocationID(t *testing.T) {
	// The id is stored: a change to how it is made orphans every bed count.
	// The value is Python's uuid.uuid5(namespace, "svc-shelter\x00loc-el-paso").
	if got, want := directory.ServiceAtLocationID("svc-shelter", "loc-el-paso"), "bca29f8e-21f0-5726-905c-a12ad72d70ab"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	uuid5 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	pairs := [][2]string{{"a", "bc"}, {"ab", "c"}, {"abc", ""}, {"", "abc"}}
	seen := map[string]bool{}
	for _, p := range pairs {
		id := directory.ServiceAtLocationID(p[0], p[1])
		if !uuid5.MatchString(id) || seen[id] {
			t.Errorf("directory.ServiceAtLocationID(%q, %q) = %s: not a version 5 UUID, or not unique", p[0], p[1], id)
		}
		seen[id] = true
	}
}

func TestListingRoundTrip(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		l := fullListing()
		hotline := directory.Listing{
			Organization: l.Organization,
			Service: directory.Service{ID: "svc-hotline", OrganizationID: l.Organization.ID, Name: "Hotline", Needs: []string{"safety_planning"},
				Eligibility: directory.Eligibility{Country: account.US}},
		}
		mustSave(t, db, &l, &hotline)
		// Confidential and Custodian go together: TestConfidentialLocationIsSealed.
		checkAllSet(t, reflect.ValueOf(l), "Listing", "Listing.Location.Confidential", "Listing.Location.Custodian", "Listing.Organization.MemberID")
		if !l.Service.LastModified.Equal(dirNow) {
			t.Errorf("got LastModified %v, want the store's clock %v", l.Service.LastModified, dirNow)
		}
		want := []directory.Listing{hotline, l}
		if diff := cmp.Diff(want, mustListings(t, db), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Listings (-want +got):\n%s", diff)
		}
		if n := rowCount(t, db, "dir_locations"); n != 1 {
			t.Errorf("got %d locations, want 1: a service with no location has none", n)
		}
	})
}

func TestSaveListingUpserts(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		l := fullListing()
		mustSave(t, db, &l)
		db.Now = func() time.Time { return dirNow.Add(time.Hour) }
		l = fullListing()
		l.Organization.Name = "Annunciation House El Paso"
		l.Service.Status, l.Service.Needs = directory.StatusTemporaryClosed, []string{"emergency_shelter", "housing"}
		l.Service.Eligibility.Genders, l.Service.Eligibility.MinAge = nil, nil
		l.Service.Eligibility.BedsAvailable, l.Service.Eligibility.AvailabilityUpdatedAt = ptr(2), dirNow.Add(30*time.Minute)
		l.Location.Latitude, l.Location.Longitude = ptr(31.77), ptr(-106.49)
		l.Location.Addresses[0].Address1, l.Location.Transportation = "1003 E San Antonio Ave", ""
		mustSave(t, db, &l)
		if diff := cmp.Diff([]directory.Listing{l}, mustListings(t, db), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Listings after the upsert (-want +got):\n%s", diff)
		}
		for _, table := range []string{"dir_organizations", "dir_services", "dir_locations", "dir_service_at_locations", "dir_availability"} {
			if n := rowCount(t, db, table); n != 1 {
				t.Errorf("got %d rows in %s, want 1", n, table)
			}
		}
	})
}

func TestUpdateAvailability(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		org := mustOrg(t, db, "Annunciation House", account.US)
		u := mustUser(t, db, org.ID, "beds@example.org", account.Caseworker)
		l := fullListing()
		mustSave(t, db, &l)
		sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
		count := func() directory.Eligibility { return mustListings(t, db)[0].Service.Eligibility }
		type beds struct {
			Beds int
			Free *int
			At   time.Time
		}
		check := func(name string, want beds) {
			t.Helper()
			el := count()
			if diff := cmp.Diff(want, beds{el.Beds, el.BedsAvailable, el.AvailabilityUpdatedAt}); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}

		later := dirNow.Add(3 * time.Hour)
		db.Now = func() time.Time { return later }
		if err := db.UpdateAvailability(ctx, sal, 25, ptr(7), u.ID); err != nil {
			t.Fatal(err)
		}
		check("the provider's count", beds{25, ptr(7), later})
		var by int64
		if err := db.SQL().QueryRow(db.Rebind("SELECT updated_by FROM dir_availability WHERE service_at_location_id = ?"), sal).Scan(&by); err != nil || by != u.ID {
			t.Errorf("got updated_by %d (%v), want %d", by, err, u.ID)
		}

		// An edit from a listing read before the count keeps the count,
		// cut to the new capacity.
		stale := fullListing()
		stale.Service.Eligibility.Beds = 5
		mustSave(t, db, &stale)
		check("after a stale edit", beds{5, ptr(5), later})
		if el := stale.Service.Eligibility; *el.BedsAvailable != 5 || !el.AvailabilityUpdatedAt.Equal(later) {
			t.Errorf("SaveListing left %d free at %v in the listing, want the kept count", *el.BedsAvailable, el.AvailabilityUpdatedAt)
		}
		// A newer count in a listing replaces it.
		fresh := fullListing()
		fresh.Service.Eligibility.Beds, fresh.Service.Eligibility.BedsAvailable = 30, ptr(9)
		fresh.Service.Eligibility.AvailabilityUpdatedAt = later.Add(time.Hour)
		mustSave(t, db, &fresh)
		check("after a newer count", beds{30, ptr(9), later.Add(time.Hour)})

		db.Now = func() time.Time { return later.Add(2 * time.Hour) }
		if err := db.UpdateAvailability(ctx, sal, 30, nil, u.ID); err != nil {
			t.Fatal(err)
		}
		check("no count kept", beds{30, nil, later.Add(2 * time.Hour)})

		tests := []struct {
			name      string
			sal       string
			beds      int
			available *int
			by        int64
			want      problem.Kind
		}{
			{"unknown listing", directory.ServiceAtLocationID("svc-none", ""), 3, nil, u.ID, problem.NotFound},
			{"more free than beds", sal, 3, ptr(4), u.ID, problem.Invalid},
			{"negative free", sal, 3, ptr(-1), u.ID, problem.Invalid},
			{"negative beds", sal, -1, nil, u.ID, problem.Invalid},
			{"unknown user", sal, 3, ptr(1), 424242, problem.Invalid},
		}
		for _, tt := range tests {
			if err := db.UpdateAvailability(ctx, tt.sal, tt.beds, tt.available, tt.by); problem.KindOf(err) != tt.want {
				t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			}
		}
		check("after the refusals", beds{30, nil, later.Add(2 * time.Hour)})
	})
}

func confidentialListing() directory.Listing {
	l := fullListing()
	l.Service.ID, l.Service.Name = "svc-safe-house", "Safe house for men"
	l.Location = directory.Location{
		ID: "loc-safe", LocationType: directory.Physical, URL: "https://canaryurlq9.example.org", OrganizationID: l.Organization.ID,
		Name: "CanaryNameQ9", AlternateName: "CanaryAltQ9", Description: "CanaryDescQ9", Transportation: "CanaryBusQ9",
		Latitude: ptr(31.76543), Longitude: ptr(-106.44321), Confidential: true,
		Addresses: []directory.Address{{
			Attention: "CanaryAttnQ9", Address1: "CanaryStreetQ9", Address2: "CanaryUnitQ9", City: "El Paso", Region: "CanaryRegionQ9",
			StateProvince: "TX", PostalCode: "CanaryZipQ9", Country: "US", AddressType: directory.Physical,
		}},
	}
	return l
}

var locationCanaries = []string{"canaryurlq9", "CanaryNameQ9", "CanaryAltQ9", "CanaryDescQ9", "CanaryBusQ9", "CanaryAttnQ9",
	"CanaryStreetQ9", "CanaryUnitQ9", "CanaryRegionQ9", "CanaryZipQ9", "31.765", "106.443"}

// TestConfidentialLocation: a confidential location's place is in no table
// in the clear; Listings gives only the city and rounded coordinates;
// ConfidentialLocation opens the rest.
func TestConfidentialLocation(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		kr := keyringOf(t, db)
		shelter := memberOrg(t, db, "Casa Refugio")
		l := confidentialListing()
		l.Location.Custodian = shelter
		mustSave(t, db, &l)
		text := tableText(t, db)
		if !strings.Contains(text, "El Paso") || !strings.Contains(text, "Safe house for men") {
			t.Fatal("the scan does not see the clear columns: it is not reading the data")
		}
		for _, canary := range locationCanaries {
			if strings.Contains(text, canary) {
				t.Errorf("%s found in the tables", canary)
			}
		}

		want := l
		want.Location = directory.Location{
			ID: "loc-safe", LocationType: directory.Physical, OrganizationID: l.Organization.ID, Confidential: true,
			Custodian: shelter, Latitude: ptr(31.8), Longitude: ptr(-106.4),
			Addresses: []directory.Address{{City: "El Paso", StateProvince: "TX", Country: "US"}},
		}
		if diff := cmp.Diff([]directory.Listing{want}, mustListings(t, db), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Listings of a confidential location (-want +got):\n%s", diff)
		}
		got, err := db.ConfidentialLocation(ctx, "loc-safe")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&l.Location, got); diff != "" {
			t.Errorf("ConfidentialLocation (-want +got):\n%s", diff)
		}
		if _, err := db.ConfidentialLocation(ctx, "loc-none"); problem.KindOf(err) != problem.NotFound {
			t.Errorf("unknown location: got %v, want not found", err)
		}
		if c, conf, err := db.PlaceCustodian(ctx, "loc-safe"); err != nil || c != shelter || !conf {
			t.Errorf("PlaceCustodian = %d, %v, %v; want %d, true", c, conf, err, shelter)
		}
		// Linking the directory organization to another member does not
		// move the custodian: only typing the place in again does.
		intruder := memberOrg(t, db, "Someone else")
		if err := db.LinkDirectoryOrganization(ctx, l.Organization.ID, &intruder); err != nil {
			t.Fatal(err)
		}
		if c, _, _ := db.PlaceCustodian(ctx, "loc-safe"); c != shelter {
			t.Errorf("custodian after linking another member = %d, want %d", c, shelter)
		}

		db.UseKeyring(nil)
		other := confidentialListing()
		other.Location.ID = "loc-safe-2"
		if err := db.SaveListing(ctx, &other); problem.KindOf(err) != problem.Internal {
			t.Errorf("confidential listing without a keyring: got %v, want internal", err)
		}
		if _, err := db.ConfidentialLocation(ctx, "loc-safe"); problem.KindOf(err) != problem.Internal {
			t.Errorf("ConfidentialLocation without a keyring: got %v, want internal", err)
		}

		// A location made public is stored in the clear and loses its key.
		db.UseKeyring(kr)
		l.Location.Confidential, l.Location.Custodian = false, 0
		mustSave(t, db, &l)
		if n := rowCount(t, db, "data_keys"); n != 0 {
			t.Errorf("got %d data keys after the location went public, want 0", n)
		}
		if got, err := db.ConfidentialLocation(ctx, "loc-safe"); err != nil || !cmp.Equal(&l.Location, got) {
			t.Errorf("a public location: got %+v, %v; want %+v", got, err, l.Location)
		}
	})
}

// TestPlaceTurnedConfidentialLeavesNoTrace saves a shelter with a public
// address, then makes it confidential: the old address must be gone from
// the SQLite file and its write-ahead log, not only from the tables.
func TestPlaceTurnedConfidentialLeavesNoTrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "puente.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dirDB(t, db)
	l := confidentialListing()
	l.Location.Confidential = false
	mustSave(t, db, &l)
	files := func() []byte {
		var all []byte
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	if !bytes.Contains(files(), []byte("CanaryStreetQ9")) {
		t.Fatal("the public address is not in the files: the scan would prove nothing")
	}
	l.Location.Confidential = true
	mustSave(t, db, &l)
	got := files()
	for _, canary := range locationCanaries {
		if bytes.Contains(got, []byte(canary)) {
			t.Errorf("%s is still in the database files after the place became confidential", canary)
		}
	}
}

// TestListingsMatch builds the matcher's index from Listings: the man
// trafficked for labor is offered the confidential shelter that takes men
// and the legal help across the border, never the women's shelter or the
// inactive one.
func TestListingsMatch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		safe := confidentialListing()
		safe.Service.Eligibility.ImmigrationStatusRequired = false
		women := fullListing()
		women.Service.ID, women.Service.Eligibility.Genders = "svc-women", []string{"woman"}
		women.Location.ID = "loc-women"
		closed := fullListing()
		closed.Service.ID, closed.Service.Status = "svc-closed", directory.StatusInactive
		legal := fullListing()
		legal.Organization = directory.Organization{ID: "org-derechos", Name: "Derechos Humanos Integrales", Description: "Legal aid."}
		legal.Service = directory.Service{ID: "svc-legal", OrganizationID: "org-derechos", Name: "Labor claims", Needs: []string{"legal_labor_claims"},
			Eligibility: directory.Eligibility{Country: account.MX, Languages: []string{"es"}, Cost: "free"}}
		legal.Location = directory.Location{ID: "loc-juarez", Latitude: ptr(31.6904), Longitude: ptr(-106.4245),
			Addresses: []directory.Address{{Address1: "Av. 16 de Septiembre 100", City: "Ciudad Juárez", StateProvince: "CHIH", Country: "MX"}}}
		mustSave(t, db, &safe, &women, &closed, &legal)

		listings := mustListings(t, db)
		var ids []string
		for _, l := range listings {
			ids = append(ids, l.Service.ID)
		}
		if diff := cmp.Diff([]string{"svc-legal", "svc-safe-house", "svc-women"}, ids); diff != "" {
			t.Errorf("Listings leaves out only the inactive service (-want +got):\n%s", diff)
		}
		ix := directory.NewIndex(listings)
		p := directory.Profile{
			Age: ptr(34), Gender: "man", Exploitation: []string{"forced_labor"}, Languages: []string{"es"}, Location: &elPaso,
			Country: account.US, ImmigrationStatus: "undocumented", Side: "either", Needs: []string{"emergency_shelter", "legal_labor_claims"},
		}
		r := ix.Match(p, dirNow, directory.Options{IncludeExcluded: true})
		var matched, excluded []string
		for _, m := range r.Matches {
			matched = append(matched, m.ServiceID)
		}
		for _, x := range r.Excluded {
			excluded = append(excluded, x.ServiceID)
		}
		if diff := cmp.Diff([]string{"svc-safe-house", "svc-legal"}, matched); diff != "" {
			t.Errorf("matches (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"svc-women"}, excluded); diff != "" {
			t.Errorf("exclusions (-want +got):\n%s", diff)
		}
		if m := r.Matches[0]; m.Area != "El Paso, TX" || m.Address != nil || *m.Point != (directory.Point{Lat: 31.8, Lon: -106.4}) {
			t.Errorf("the confidential match shows area %q, address %v, point %v; want El Paso, TX, none and the rounded point", m.Area, m.Address, m.Point)
		}
		if sal := directory.ServiceAtLocationID(r.Matches[1].ServiceID, r.Matches[1].LocationID); sal != directory.ServiceAtLocationID("svc-legal", "loc-juarez") {
			t.Errorf("a match does not name its listing: got %s", sal)
		}
	})
}

// TestSaveListingRefuses: bad input and broken references change nothing,
// not even the parts of the listing saved before the failure.
func TestSaveListingRefuses(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		good := fullListing()
		mustSave(t, db, &good)
		before := tableText(t, db)
		tests := []struct {
			name string
			edit func(l *directory.Listing)
			want problem.Kind
		}{
			{"unknown gender", func(l *directory.Listing) { l.Service.Eligibility.Genders = []string{"other"} }, problem.Invalid},
			{"no needs", func(l *directory.Listing) { l.Service.Needs = nil }, problem.Invalid},
			{"service of another organization", func(l *directory.Listing) { l.Service.OrganizationID = "org-other" }, problem.Invalid},
			{"more free beds than beds", func(l *directory.Listing) { l.Service.Eligibility.BedsAvailable = ptr(21) }, problem.Invalid},
			{"half a coordinate", func(l *directory.Listing) { l.Location.Longitude = nil }, problem.Invalid},
			{"location of an unknown organization", func(l *directory.Listing) {
				l.Organization.Name, l.Service.Description = "Renamed", "Changed."
				l.Location.OrganizationID = "org-nowhere"
			}, problem.Invalid},
			{"confidential location of an unknown organization", func(l *directory.Listing) {
				l.Location.ID, l.Location.Confidential, l.Location.OrganizationID = "loc-new", true, "org-nowhere"
			}, problem.Invalid},
		}
		for _, tt := range tests {
			l := fullListing()
			tt.edit(&l)
			if err := db.SaveListing(ctx, &l); problem.KindOf(err) != tt.want {
				t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			}
			if tableText(t, db) != before {
				t.Errorf("%s: the tables changed", tt.name)
			}
		}
		_, err := db.SQL().Exec(db.Rebind("INSERT INTO dir_services (id, organization_id, name, status, updated_at) VALUES (?, ?, ?, ?, ?)"),
			"svc-orphan", "org-nowhere", "Orphan", directory.StatusActive, 0)
		if err == nil {
			t.Error("the schema takes a service of an unknown organization")
		}
	})
}

// TestDeleteListing: a listing goes with its bed count, and its service and
// location when no other listing uses them; a confidential location's data
// key is destroyed; the organization stays.
func TestDeleteListing(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		house := fullListing()
		annex := fullListing()
		annex.Location.ID, annex.Location.Confidential = "loc-annex", true
		hotline := fullListing()
		hotline.Service.ID, hotline.Location = "svc-hotline", directory.Location{}
		mustSave(t, db, &house, &annex, &hotline)

		if err := db.DeleteListing(ctx, directory.ServiceAtLocationID("svc-shelter", "loc-annex")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfidentialLocation(ctx, "loc-annex"); problem.KindOf(err) != problem.NotFound {
			t.Errorf("deleted location: got %v, want not found", err)
		}
		if n := rowCount(t, db, "data_keys"); n != 0 {
			t.Errorf("got %d data keys, want the annex's destroyed", n)
		}
		if err := db.DeleteListing(ctx, directory.ServiceAtLocationID("svc-shelter", "loc-annex")); problem.KindOf(err) != problem.NotFound {
			t.Errorf("deleting again: got %v, want not found", err)
		}
		if diff := cmp.Diff([]directory.Listing{hotline, house}, mustListings(t, db), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Listings after deleting the annex (-want +got):\n%s", diff)
		}

		for _, sal := range []string{directory.ServiceAtLocationID("svc-shelter", "loc-el-paso"), directory.ServiceAtLocationID("svc-hotline", "")} {
			if err := db.DeleteListing(ctx, sal); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]int{"dir_organizations": 1, "dir_services": 0, "dir_locations": 0, "dir_service_at_locations": 0, "dir_availability": 0}
		for table, n := range want {
			if got := rowCount(t, db, table); got != n {
				t.Errorf("got %d rows in %s, want %d", got, table, n)
			}
		}
	})
}

func TestLinkDirectoryOrganization(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		member := mustOrg(t, db, "Annunciation House", account.US)
		l := fullListing()
		mustSave(t, db, &l)
		linked := func() *int64 {
			t.Helper()
			var id *int64
			if err := db.SQL().QueryRow(db.Rebind("SELECT member_org_id FROM dir_organizations WHERE id = ?"), l.Organization.ID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		if err := db.LinkDirectoryOrganization(ctx, l.Organization.ID, &member.ID); err != nil {
			t.Fatal(err)
		}
		mustSave(t, db, &l)
		if got := linked(); got == nil || *got != member.ID {
			t.Errorf("after saving the listing again the link is %v, want %d", got, member.ID)
		}
		if got := mustListings(t, db)[0].Organization.MemberID; got != member.ID {
			t.Errorf("Listings gives MemberID %d, want %d", got, member.ID)
		}
		if err := db.LinkDirectoryOrganization(ctx, "org-nowhere", &member.ID); problem.KindOf(err) != problem.NotFound {
			t.Errorf("unknown directory organization: got %v, want not found", err)
		}
		if err := db.LinkDirectoryOrganization(ctx, l.Organization.ID, ptr(int64(424242))); problem.KindOf(err) != problem.Invalid {
			t.Errorf("unknown member: got %v, want invalid", err)
		}
		if err := db.LinkDirectoryOrganization(ctx, l.Organization.ID, nil); err != nil || linked() != nil {
			t.Errorf("unlinking: got %v, link %v", err, linked())
		}
	})
}

// TestDirectoryVersionMovesOnEveryChange: servers keep the listings in
// memory while the version stands still, so every change to what
// Listings returns must move it.
func TestDirectoryVersionMovesOnEveryChange(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		dirDB(t, db)
		member := mustOrg(t, db, "Annunciation House", account.US)
		staff := mustUser(t, db, member.ID, "beds@example.org", "caseworker")
		version := func() int64 {
			t.Helper()
			v, err := db.DirectoryVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		last := version()
		moved := func(what string) {
			t.Helper()
			if v := version(); v <= last {
				t.Errorf("%s left the version at %d", what, v)
			} else {
				last = v
			}
		}
		l := fullListing()
		mustSave(t, db, &l)
		moved("saving a listing")
		sal := directory.ServiceAtLocationID(l.Service.ID, l.Location.ID)
		if err := db.UpdateAvailability(ctx, sal, 20, ptr(3), staff.ID); err != nil {
			t.Fatal(err)
		}
		moved("a bed count")
		if err := db.LinkDirectoryOrganization(ctx, l.Organization.ID, &member.ID); err != nil {
			t.Fatal(err)
		}
		moved("linking a member")
		if err := db.DeleteListing(ctx, sal); err != nil {
			t.Fatal(err)
		}
		moved("deleting a listing")
		if err := db.UpdateAvailability(ctx, sal, 20, ptr(3), staff.ID); err == nil {
			t.Fatal("a bed count for a deleted listing was accepted")
		}
		if v := version(); v != last {
			t.Errorf("a refused change moved the version from %d to %d", last, v)
		}
	})
}
