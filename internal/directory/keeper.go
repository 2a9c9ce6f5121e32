package directory

import (
	"context"
	"strconv"
	"sync"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/problem"
)

// Store is what the Keeper needs from storage. Listings and
// DirectoryListings give a confidential place only as its area; only
// ConfidentialLocation opens one.
type Store interface {
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
	Read(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e *audit.Entry) error

	Listings(ctx context.Context) ([]Listing, error)
	DirectoryVersion(ctx context.Context) (int64, error)
	DirectoryListings(ctx context.Context, f Filter) ([]Listing, error)
	Listing(ctx context.Context, serviceAtLocationID string) (*Listing, error)
	DirectoryOrganizations(ctx context.Context, f Filter) ([]Organization, error)
	DirectoryOrganization(ctx context.Context, id string) (*Organization, error)

	SaveListing(ctx context.Context, l *Listing) error
	SaveListingFor(ctx context.Context, l *Listing, memberOrgID int64) error
	DeleteListing(ctx context.Context, serviceAtLocationID string) error
	ConfidentialLocation(ctx context.Context, id string) (*Location, error)
	UpdateAvailability(ctx context.Context, serviceAtLocationID string, beds int, available *int, by int64) error
	LinkDirectoryOrganization(ctx context.Context, id string, memberOrgID *int64) error
}

// Keeper is the one way into the services directory Puente keeps: reading
// it (for anyone signed in, and matching), and keeping it (admins, and a
// member organization's staff for its own listings), each change decided
// by the access policy and audited in the transaction that makes it. A
// confidential place is opened only for those the policy lets read it.
type Keeper struct {
	Store Store
	Now   func() time.Time

	cache cache
}

func (s *Keeper) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// cache keeps the directory's listings and their matching index between
// requests. Reading 10,000 listings takes a third of a second
// (store.BenchmarkListings10k), too long for every page that matches; the
// store's directory version, one cheap query, says when the copy is old.
// Each server keeps its own, so several servers on one PostgreSQL database
// stay right.
type cache struct {
	mu       sync.Mutex
	loaded   bool
	version  int64
	listings []Listing
	index    *Index
}

// Current returns the listings of the services in operation, as matching
// sees them (confidential places as their area), and their index, as of
// now. Callers must not change the listings: every request shares them.
func (s *Keeper) Current(ctx context.Context) ([]Listing, *Index, error) {
	v, err := s.Store.DirectoryVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.version == v {
		return c.listings, c.index, nil
	}
	// A change between reading the version and the listings leaves a copy
	// newer than its version: the next request reads it again, no harm.
	ls, err := s.Store.Listings(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.loaded, c.version, c.listings, c.index = true, v, ls, NewIndex(ls)
	return ls, c.index, nil
}

// Browse lists the listings the directory's pages show, inactive ones too.
func (s *Keeper) Browse(ctx context.Context, f Filter) ([]Listing, error) {
	return s.Store.DirectoryListings(ctx, f)
}

// Listing returns one listing, a confidential place as its area.
func (s *Keeper) Listing(ctx context.Context, sal string) (*Listing, error) {
	return s.Store.Listing(ctx, sal)
}

// Organizations lists the directory's organizations.
func (s *Keeper) Organizations(ctx context.Context, f Filter) ([]Organization, error) {
	return s.Store.DirectoryOrganizations(ctx, f)
}

// Organization returns one directory organization.
func (s *Keeper) Organization(ctx context.Context, id string) (*Organization, error) {
	return s.Store.DirectoryOrganization(ctx, id)
}

func listingRecord(sal string) string { return "listing:" + sal }

// decide asks the policy and records a refusal, which is an error; an
// allowed decision is recorded by the write that follows it.
func (s *Keeper) decide(ctx context.Context, rq access.Request, act access.Action, res access.Resource, record string) (access.Decision, error) {
	d := access.Decide(rq.Actor, act, res)
	if d.Allowed {
		return d, nil
	}
	if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, record, d, "")); err != nil {
		return d, err
	}
	return d, problem.New(problem.Forbidden, "error.forbidden")
}

// Keep returns the listing sal for someone who would do act to it (keep it,
// or count its beds): admins, and the staff of the member organization
// that runs it. A refusal is audited: someone reaching for a listing they
// do not keep, perhaps for a confidential shelter's place.
func (s *Keeper) Keep(ctx context.Context, rq access.Request, sal string, act access.Action) (*Listing, error) {
	l, err := s.Store.Listing(ctx, sal)
	if err != nil {
		return nil, err
	}
	if _, err := s.decide(ctx, rq, act, access.ListingOf(l.Organization.MemberID), listingRecord(sal)); err != nil {
		return nil, err
	}
	return l, nil
}

// MayPutUnder checks that the actor may keep a listing under org (with
// memberID the member a new organization will be linked to): an admin
// anywhere, a member's supervisor only under an organization their own
// member runs.
func (s *Keeper) MayPutUnder(ctx context.Context, rq access.Request, org *Organization, memberID int64) error {
	record := "dir_organization:" + org.ID
	if memberID != 0 {
		record = "dir_organization:new"
	} else {
		memberID = org.MemberID
	}
	_, err := s.decide(ctx, rq, access.DirectoryEdit, access.ListingOf(memberID), record)
	return err
}

// OpenPlace replaces a listing's confidential location, which the store
// gives only as its area, with the whole of it, after auditing the read.
// With show, the place is for the person's eyes, and the policy must let
// them read it (its own staff only, see access.PlaceOf); without, it is
// read only to be saved back unchanged by someone who keeps the listing,
// and never shown.
func (s *Keeper) OpenPlace(ctx context.Context, rq access.Request, l *Listing, show bool) error {
	if !l.Location.Confidential {
		return nil
	}
	act, res, note := access.DirectoryEdit, access.ListingOf(l.Organization.MemberID), "confidential location kept unread while editing"
	if show {
		act, res, note = access.LocationReveal, access.PlaceOf(l.Location.Custodian), "confidential location opened for editing"
	}
	return s.Store.Read(ctx, func(ctx context.Context) error {
		d := access.Decide(rq.Actor, act, res)
		if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, "dir_location:"+l.Location.ID, d, note)); err != nil {
			return err
		}
		if !d.Allowed {
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		loc, err := s.Store.ConfidentialLocation(ctx, l.Location.ID)
		if err != nil {
			return err
		}
		l.Location = *loc
		return nil
	})
}

// PlaceHidden reports whether l's place is confidential and the actor may
// not read it: a network admin keeps the listing without reading its
// place, whose fields are write-only for them.
func PlaceHidden(a access.Actor, l *Listing) bool {
	return l.Location.Confidential && !access.Allow(a, access.LocationReveal, access.PlaceOf(l.Location.Custodian))
}

// Save stores l, new (old is "") or over the listing old, under its
// organization, linked to member link when that is a new organization (0
// for none). The actor must keep listings of the member that runs it. A
// listing that moved to another id (a place given or taken away) replaces
// the old one, in the same transaction, with its own entry.
func (s *Keeper) Save(ctx context.Context, rq access.Request, l *Listing, old string, link int64) error {
	if err := l.Normalize(); err != nil {
		return err
	}
	member := l.Organization.MemberID
	if link != 0 {
		member = link
	}
	sal := ServiceAtLocationID(l.Service.ID, l.Location.ID)
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		d, err := s.decide(ctx, rq, access.DirectoryEdit, access.ListingOf(member), listingRecord(sal))
		if err != nil {
			return err
		}
		note := "listing saved"
		if old == "" {
			note = "listing created"
		}
		if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.DirectoryEdit, listingRecord(sal), d, note)); err != nil {
			return err
		}
		if link != 0 {
			err = s.Store.SaveListingFor(ctx, l, link)
		} else {
			err = s.Store.SaveListing(ctx, l)
		}
		if err != nil || old == "" || old == sal {
			return err
		}
		return s.deleteDecided(ctx, rq, old, d)
	})
}

// Delete deletes the listing sal for someone who keeps it.
func (s *Keeper) Delete(ctx context.Context, rq access.Request, sal string) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		l, err := s.Store.Listing(ctx, sal)
		if err != nil {
			return err
		}
		d, err := s.decide(ctx, rq, access.DirectoryEdit, access.ListingOf(l.Organization.MemberID), listingRecord(sal))
		if err != nil {
			return err
		}
		return s.deleteDecided(ctx, rq, sal, d)
	})
}

func (s *Keeper) deleteDecided(ctx context.Context, rq access.Request, sal string, d access.Decision) error {
	if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.DirectoryEdit, listingRecord(sal), d, "listing deleted")); err != nil {
		return err
	}
	return s.Store.DeleteListing(ctx, sal)
}

// CountBeds records a provider's count of a listing's beds: the capacity,
// and the beds free now, or nil when no count is kept. The entry holds the
// listing's id and the decision, never the numbers.
func (s *Keeper) CountBeds(ctx context.Context, rq access.Request, sal string, beds int, free *int) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		l, err := s.Store.Listing(ctx, sal)
		if err != nil {
			return err
		}
		d, err := s.decide(ctx, rq, access.AvailabilityUpdate, access.ListingOf(l.Organization.MemberID), listingRecord(sal))
		if err != nil {
			return err
		}
		if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.AvailabilityUpdate, listingRecord(sal), d, "")); err != nil {
			return err
		}
		return s.Store.UpdateAvailability(ctx, sal, beds, free, rq.Actor.UserID)
	})
}

// LinkMember says which Puente member runs the directory organization id
// (nil for none): whoever runs a listing keeps its beds and receives its
// referrals, with what survivors agree to share. It never opens a
// confidential place: the place's custodian does not move.
func (s *Keeper) LinkMember(ctx context.Context, rq access.Request, id string, member *int64) error {
	note := "member=none"
	if member != nil {
		note = "member=" + strconv.FormatInt(*member, 10)
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		d, err := s.decide(ctx, rq, access.ManageOrganizations, access.Resource{}, "dir_organization:"+id)
		if err != nil {
			return err
		}
		if err := s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), access.DirectoryEdit, "dir_organization:"+id, d, note)); err != nil {
			return err
		}
		return s.Store.LinkDirectoryOrganization(ctx, id, member)
	})
}
