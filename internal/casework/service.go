package casework

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/problem"
	"puente/internal/text"
)

// Store is what the case service needs from storage.
type Store interface {
	// Atomic runs fn in one transaction that every call made with the
	// context it is given joins, audit entries included: see store.Atomic.
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
	// Read runs fn in one read-only transaction; the audit entries it
	// appends are durable when Read returns: see store.Read.
	Read(ctx context.Context, fn func(ctx context.Context) error) error
	CreateCase(ctx context.Context, c *Case) error
	Case(ctx context.Context, id int64, classes []access.Class) (*Case, error)
	UpdateCase(ctx context.Context, c *Case, classes []access.Class) error
	MoveCase(ctx context.Context, id int64, t Transition) error
	AssignCase(ctx context.Context, id int64, users []int64) error
	DeleteCase(ctx context.Context, id int64) error
	Cases(ctx context.Context, f Filter) ([]Summary, error)
	Referrals(ctx context.Context, f ReferralFilter) ([]Referral, error)
	// NameMatches lists the cases, of any organization, whose blind name
	// index holds every token; the caller decides which it may show.
	NameMatches(ctx context.Context, tokens []string, limit int) ([]int64, error)
	CaseAccess(ctx context.Context, id int64, now time.Time) (access.Resource, error)
	// CaseAccesses is CaseAccess for many cases at once; a case that does
	// not exist (or was deleted) is missing from the map.
	CaseAccesses(ctx context.Context, ids []int64, now time.Time) (map[int64]access.Resource, error)
	ConsentedCaseIDs(ctx context.Context, org int64, now time.Time) ([]int64, error)
	CreateConsent(ctx context.Context, c *Consent) error
	RevokeConsent(ctx context.Context, caseID, consentID, by int64) error
	Consents(ctx context.Context, caseID int64) ([]Consent, error)
	OpenGlass(ctx context.Context, caseID, userID int64, reason string, until time.Time) error
	GlassOpenings(ctx context.Context, org int64, since time.Time) ([]GlassOpening, error)
	Caseload(ctx context.Context, org, user int64) (Caseload, error)
	AppendAudit(ctx context.Context, e *audit.Entry) error
}

// GlassDuration is how long an emergency access lasts: long enough to act
// on an emergency, short enough that it cannot become a way of working.
const GlassDuration = time.Hour

// Service is the one way into survivors' cases, for pages, the API and the
// command line alike. Every call runs in one transaction: it checks its
// input, asks the access policy, reads or writes, and leaves its audit
// entry, which commits with the write it records or not at all. A refusal
// is recorded even though nothing else happens.
type Service struct {
	Store Store
	Now   func() time.Time
	// Searches throttles name searches per user, so a dictionary of names
	// cannot be run against the index. Nil uses DefaultSearchLimit.
	Searches Limiter

	once sync.Once
}

// Limiter says whether one more attempt keyed by key may go ahead at now.
// auth.Throttle is one.
type Limiter interface {
	Allow(key string, now time.Time) bool
}

// Name searches a person may run: a burst, then one every interval. A
// caseworker looking people up at intake stays far below it; a script
// trying a list of names does not.
const (
	SearchBurst = 20
	SearchEvery = 15 * time.Second
)

// MaxSearchMatches bounds the cases a name search may weigh: a query that
// matches more is too broad to be useful and is refused.
const MaxSearchMatches = 2000

// Request is who is asking, for the services and their audit entries.
type Request = access.Request

func record(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// check decides act on the case and records the decision. A denial of
// anything on another organization's case reads as not found, so guessing
// ids reveals nothing about which cases exist.
func (s *Service) check(ctx context.Context, rq Request, act access.Action, id int64, res access.Resource, note string) error {
	d := access.Decide(rq.Actor, act, res)
	if err := s.log(ctx, rq, act, id, d, note); err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	return refusal(rq, res)
}

// refusal is the error for a denied action: not found outside the owning
// organization, forbidden inside it.
func refusal(rq Request, res access.Resource) error {
	if res.OrgID != rq.Actor.OrgID {
		return problem.New(problem.NotFound, "error.not_found")
	}
	return problem.New(problem.Forbidden, "error.forbidden")
}

func (s *Service) log(ctx context.Context, rq Request, act access.Action, id int64, d access.Decision, note string) error {
	rec := ""
	if id != 0 {
		rec = record(id)
	}
	return s.Store.AppendAudit(ctx, audit.Of(rq, s.now(), act, rec, d, note))
}

// resource loads what the policy needs; a missing case is audited as a
// denied attempt, so probing for ids shows up in the log.
func (s *Service) resource(ctx context.Context, rq Request, act access.Action, id int64) (access.Resource, error) {
	res, err := s.Store.CaseAccess(ctx, id, s.now())
	if problem.Is(err, problem.NotFound) {
		if lerr := s.log(ctx, rq, act, id, access.Decision{Reason: "no such case"}, ""); lerr != nil {
			return res, lerr
		}
	}
	return res, err
}

// decided loads the case's access facts and decides act on it, recording
// the decision: the first step of every call on one case.
func (s *Service) decided(ctx context.Context, rq Request, act access.Action, id int64, class access.Class, note string) (access.Resource, error) {
	res, err := s.resource(ctx, rq, act, id)
	if err != nil {
		return res, err
	}
	res.Class = class
	return res, s.check(ctx, rq, act, id, res, note)
}

func classList(cs []access.Class) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return "classes=" + strings.Join(out, ",")
}

// Create records a new case owned by the actor's organization.
func (s *Service) Create(ctx context.Context, rq Request, c *Case) error {
	c.OrgID, c.CreatedBy, c.Status = rq.Actor.OrgID, rq.Actor.UserID, Identified
	if err := c.Normalize(); err != nil {
		return err
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		d := access.Decide(rq.Actor, access.CaseCreate, access.Resource{OrgID: rq.Actor.OrgID})
		if !d.Allowed {
			if err := s.log(ctx, rq, access.CaseCreate, 0, d, ""); err != nil {
				return err
			}
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		if len(c.Assigned) == 0 && slices.Contains(rq.Actor.Roles, "caseworker") {
			c.Assigned = []int64{rq.Actor.UserID}
		}
		if err := s.Store.CreateCase(ctx, c); err != nil {
			return err
		}
		return s.log(ctx, rq, access.CaseCreate, c.ID, d, "")
	})
}

// Get returns the case with only the classes the actor may read, and
// which classes those are.
func (s *Service) Get(ctx context.Context, rq Request, id int64) (c *Case, visible []access.Class, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		res, err := s.resource(ctx, rq, access.CaseRead, id)
		if err != nil {
			return err
		}
		visible = access.Visible(rq.Actor, res)
		if len(visible) == 0 {
			return s.check(ctx, rq, access.CaseRead, id, res, "")
		}
		res.Class = visible[len(visible)-1]
		d := access.Decide(rq.Actor, access.CaseRead, res)
		if err := s.log(ctx, rq, access.CaseRead, id, d, classList(visible)); err != nil {
			return err
		}
		c, err = s.Store.Case(ctx, id, visible)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return c, visible, nil
}

// Editable lists the classes of a case the actor may change.
func Editable(a access.Actor, res access.Resource) []access.Class {
	var out []access.Class
	for _, c := range access.Classes {
		res.Class = c
		if access.Allow(a, access.CaseUpdate, res) {
			out = append(out, c)
		}
	}
	return out
}

// EditableClasses returns the classes of a case the actor may change, or
// not found (audited) when there are none. It reads nothing of the case,
// so an allowed answer is not recorded.
func (s *Service) EditableClasses(ctx context.Context, rq Request, id int64) (classes []access.Class, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		res, err := s.resource(ctx, rq, access.CaseUpdate, id)
		if err != nil {
			return err
		}
		if classes = Editable(rq.Actor, res); len(classes) == 0 {
			return s.check(ctx, rq, access.CaseUpdate, id, res, "")
		}
		return nil
	})
	return classes, err
}

// Update saves the given classes of c; each must be one the actor may change.
func (s *Service) Update(ctx context.Context, rq Request, c *Case, classes []access.Class) error {
	if err := c.Normalize(); err != nil {
		return err
	}
	for _, cl := range classes {
		if !slices.Contains(access.Classes, cl) {
			return problem.New(problem.Invalid, "error.invalid")
		}
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		res, err := s.resource(ctx, rq, access.CaseUpdate, c.ID)
		if err != nil {
			return err
		}
		for _, cl := range classes {
			res.Class = cl
			if err := s.check(ctx, rq, access.CaseUpdate, c.ID, res, classList([]access.Class{cl})); err != nil {
				return err
			}
		}
		return s.Store.UpdateCase(ctx, c, classes)
	})
}

// Move changes the case's status.
func (s *Service) Move(ctx context.Context, rq Request, id int64, to Status, reason string) error {
	if !slices.Contains(Statuses, to) {
		return &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "to", Key: "field.choose_one"}}}
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if _, err := s.decided(ctx, rq, access.CaseMove, id, "", "to="+string(to)); err != nil {
			return err
		}
		c, err := s.Store.Case(ctx, id, nil)
		if err != nil {
			return err
		}
		if err := c.Move(to, rq.Actor.UserID, s.now(), reason); err != nil {
			return err
		}
		return s.Store.MoveCase(ctx, id, c.Transitions[len(c.Transitions)-1])
	})
}

// Assign replaces the case's caseworkers.
func (s *Service) Assign(ctx context.Context, rq Request, id int64, users []int64) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if _, err := s.decided(ctx, rq, access.CaseAssign, id, "", "caseworkers="+strconv.Itoa(len(users))); err != nil {
			return err
		}
		return s.Store.AssignCase(ctx, id, users)
	})
}

// Delete destroys the survivor's data for good (see Store.DeleteCase).
func (s *Service) Delete(ctx context.Context, rq Request, id int64) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		if _, err := s.decided(ctx, rq, access.CaseDelete, id, "", ""); err != nil {
			return err
		}
		return s.Store.DeleteCase(ctx, id)
	})
}

// List returns the cases the actor may see: their organization's, when
// their role lists cases, and other organizations' cases the survivor
// consented to share with them. With name tokens in f it is a search:
// see Search.
func (s *Service) List(ctx context.Context, rq Request, f Filter) (page Page, err error) {
	if len(f.NameTokens) > 0 {
		return s.Search(ctx, rq, f)
	}
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		var own []Summary
		d := access.Decide(rq.Actor, access.CaseList, access.Resource{OrgID: rq.Actor.OrgID})
		if d.Allowed {
			f.OrgID, f.IDs = rq.Actor.OrgID, nil
			var err error
			if own, err = s.Store.Cases(ctx, f); err != nil {
				return err
			}
		}
		ids, err := s.Store.ConsentedCaseIDs(ctx, rq.Actor.OrgID, s.now())
		if err != nil {
			return err
		}
		shared, err := s.sharedList(ctx, rq, ids, f)
		if err != nil {
			return err
		}
		page = pageOf(f.PageLimit(), own, shared)
		d = access.Decision{Allowed: d.Allowed || len(shared) > 0, Reason: "list"}
		return s.log(ctx, rq, access.CaseList, 0, d, "shown="+strconv.Itoa(len(page.Cases)))
	})
	return page, err
}

// pageOf merges lists sorted newest first, each holding up to one more
// than a page, into one page of limit cases and where the next starts.
func pageOf(limit int, lists ...[]Summary) Page {
	all := slices.Concat(lists...)
	slices.SortFunc(all, func(a, b Summary) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if len(all) > limit {
		return Page{Cases: all[:limit:limit], Next: all[limit-1].Cursor()}
	}
	return Page{Cases: all}
}

// sharedList returns the summaries of other organizations' cases among ids
// that the actor may list, with the profile blanked where they may not
// read it.
func (s *Service) sharedList(ctx context.Context, rq Request, ids []int64, f Filter) ([]Summary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	facts, err := s.Store.CaseAccesses(ctx, ids, s.now())
	if err != nil {
		return nil, err
	}
	var listable []int64
	for _, id := range ids {
		if res, ok := facts[id]; ok && res.OrgID != rq.Actor.OrgID && access.Allow(rq.Actor, access.CaseList, res) {
			listable = append(listable, id)
		}
	}
	if len(listable) == 0 {
		return nil, nil
	}
	f.OrgID, f.IDs, f.NameTokens = 0, listable, nil
	list, err := s.Store.Cases(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range list {
		res := facts[list[i].ID]
		res.Class = access.NonIdentifying
		if !access.Allow(rq.Actor, access.CaseRead, res) {
			list[i].Profile = Profile{}
		}
	}
	return list, nil
}

// Search finds cases by name through the blind index. It matches only
// cases whose identity the actor may read: being allowed to list a case,
// or to read its profile, tells nothing of the person's name, and a search
// that matched such cases would let anyone recover names one guess at a
// time. Each search is audited (how many words, how many cases shown;
// never the words) and throttled per person.
func (s *Service) Search(ctx context.Context, rq Request, f Filter) (page Page, err error) {
	s.once.Do(func() {
		if s.Searches == nil {
			s.Searches = auth.NewThrottle(SearchBurst, SearchEvery)
		}
	})
	tokens := f.NameTokens
	if len(tokens) == 0 || len(tokens) > 8 {
		return Page{}, &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "q", Key: "case.search_words"}}}
	}
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		var out []Summary
		note := "words=" + strconv.Itoa(len(tokens))
		gate := access.Decide(rq.Actor, access.CaseSearch, access.Resource{})
		if !gate.Allowed {
			if err := s.log(ctx, rq, access.CaseSearch, 0, gate, note); err != nil {
				return err
			}
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		if !s.Searches.Allow("user:"+strconv.FormatInt(rq.Actor.UserID, 10), s.now()) {
			if err := s.log(ctx, rq, access.CaseSearch, 0, access.Decision{Reason: "too many searches"}, note); err != nil {
				return err
			}
			return problem.New(problem.TooMany, "case.search_throttled")
		}
		readable, facts, err := s.identityReadable(ctx, rq, tokens)
		if err != nil {
			return err
		}
		if len(readable) > 0 {
			f.OrgID, f.IDs, f.NameTokens = 0, readable, nil
			if out, err = s.Store.Cases(ctx, f); err != nil {
				return err
			}
		}
		for i := range out {
			res := facts[out[i].ID]
			res.Class = access.NonIdentifying
			if !access.Allow(rq.Actor, access.CaseRead, res) {
				out[i].Profile = Profile{}
			}
		}
		page = pageOf(f.PageLimit(), out)
		return s.log(ctx, rq, access.CaseSearch, 0, access.Decision{Allowed: true, Reason: "identity readable"}, note+" shown="+strconv.Itoa(len(page.Cases)))
	})
	return page, err
}

// identityReadable returns the cases matching every token whose identity
// class the actor may read, and the access facts of all that matched.
func (s *Service) identityReadable(ctx context.Context, rq Request, tokens []string) ([]int64, map[int64]access.Resource, error) {
	ids, err := s.Store.NameMatches(ctx, tokens, MaxSearchMatches+1)
	if err != nil {
		return nil, nil, err
	}
	if len(ids) > MaxSearchMatches {
		return nil, nil, &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "q", Key: "case.search_too_broad"}}}
	}
	facts, err := s.Store.CaseAccesses(ctx, ids, s.now())
	if err != nil {
		return nil, nil, err
	}
	var out []int64
	for _, id := range ids {
		res, ok := facts[id]
		if !ok {
			continue
		}
		if access.Allow(rq.Actor, access.CaseSearch, res) {
			out = append(out, id)
		}
	}
	return out, facts, nil
}

// AddConsent records the survivor's consent to share with another organization.
func (s *Service) AddConsent(ctx context.Context, rq Request, k *Consent) error {
	if err := k.Normalize(s.now()); err != nil {
		return err
	}
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		note := "grant org=" + strconv.FormatInt(k.OrgID, 10) + " " + classList(k.Classes)
		if _, err := s.decided(ctx, rq, access.ConsentEdit, k.CaseID, "", note); err != nil {
			return err
		}
		k.RecordedBy = rq.Actor.UserID
		return s.Store.CreateConsent(ctx, k)
	})
}

// RevokeConsent ends a consent with immediate effect.
func (s *Service) RevokeConsent(ctx context.Context, rq Request, caseID, consentID int64) error {
	return s.Store.Atomic(ctx, func(ctx context.Context) error {
		note := "revoke consent=" + strconv.FormatInt(consentID, 10)
		if _, err := s.decided(ctx, rq, access.ConsentEdit, caseID, "", note); err != nil {
			return err
		}
		return s.Store.RevokeConsent(ctx, caseID, consentID, rq.Actor.UserID)
	})
}

// Consents lists a case's consents for those who may edit them.
func (s *Service) Consents(ctx context.Context, rq Request, caseID int64) (out []Consent, err error) {
	err = s.Store.Read(ctx, func(ctx context.Context) error {
		if _, err := s.decided(ctx, rq, access.ConsentEdit, caseID, "", "read consents"); err != nil {
			return err
		}
		out, err = s.Store.Consents(ctx, caseID)
		return err
	})
	return out, err
}

// BreakGlass opens another organization's case to a supervisor in an
// emergency, for GlassDuration, with a reason the owning organization will
// read. It returns when the access ends.
func (s *Service) BreakGlass(ctx context.Context, rq Request, id int64, reason string) (until time.Time, err error) {
	reason, key := text.CleanMultiline(reason, 1000)
	if key == "" && len([]rune(reason)) < 10 {
		key = "case.glass_reason_required"
	}
	if key != "" {
		return time.Time{}, &problem.Error{Kind: problem.Invalid, Key: "error.invalid", Fields: []problem.FieldError{{Field: "reason", Key: key}}}
	}
	err = s.Store.Atomic(ctx, func(ctx context.Context) error {
		res, err := s.resource(ctx, rq, access.BreakGlass, id)
		if err != nil {
			return err
		}
		d := access.Decide(rq.Actor, access.BreakGlass, res)
		if !d.Allowed {
			if err := s.log(ctx, rq, access.BreakGlass, id, d, ""); err != nil {
				return err
			}
			return problem.New(problem.Forbidden, "error.forbidden")
		}
		until = s.now().Add(GlassDuration)
		if err := s.Store.OpenGlass(ctx, id, rq.Actor.UserID, reason, until); err != nil {
			return err
		}
		return s.log(ctx, rq, access.BreakGlass, id, access.Decision{Allowed: true, Reason: "break-the-glass"}, "opened")
	})
	return until, err
}
