package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// acks are the writes the server acknowledged with a 2xx answer that the
// harness read in full: each must be in the database after any crash.
type acks struct {
	mu       sync.Mutex
	cases    map[int64]bool
	moves    map[int64]bool  // cases moved to referred
	consents map[int64]int64 // consent id → case id
	refused  map[int]int     // answers other than 2xx by status, which should not happen
}

func newAcks() *acks {
	return &acks{cases: map[int64]bool{}, moves: map[int64]bool{}, consents: map[int64]int64{}, refused: map[int]int{}}
}

func (a *acks) add(f func(a *acks)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

// total counts the acknowledged writes.
func (a *acks) total() (cases, moves, consents int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.cases), len(a.moves), len(a.consents)
}

// writer records cases through the API, and moves some and records
// consents for some, until its context ends.
type writer struct {
	api     *api
	rng     *rand.Rand
	acks    *acks
	partner int64 // the organization consents are given to
}

// run writes until ctx ends. A failed request (the server killed under
// it) is tried again shortly with a new write, until ctx ends.
func (w *writer) run(ctx context.Context) {
	for ctx.Err() == nil {
		if err := w.one(ctx); err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

func (w *writer) one(ctx context.Context) error {
	id, err := w.create(ctx)
	if err != nil || id == 0 {
		return err
	}
	if w.rng.IntN(3) == 0 {
		if err := w.move(ctx, id); err != nil {
			return err
		}
	}
	if w.rng.IntN(4) == 0 {
		return w.consent(ctx, id)
	}
	return nil
}

// create records a case with a profile and a sealed identity, and returns
// its id once acknowledged, or 0 when refused.
func (w *writer) create(ctx context.Context) (int64, error) {
	in := map[string]any{
		"profile":  map[string]any{"gender": "woman", "age_band": "25-34", "exploitation": []string{"forced_labor"}},
		"identity": map[string]any{"given_names": "Prueba", "family_names": fmt.Sprintf("Choque %d", w.rng.IntN(1_000_000))},
	}
	var out struct {
		Case struct {
			ID int64 `json:"id"`
		} `json:"case"`
	}
	status, err := w.api.call(ctx, http.MethodPost, "/api/v1/cases", in, &out)
	if err != nil {
		return 0, err
	}
	if status != http.StatusCreated || out.Case.ID == 0 {
		w.acks.add(func(a *acks) { a.refused[status]++ })
		return 0, nil
	}
	w.acks.add(func(a *acks) { a.cases[out.Case.ID] = true })
	return out.Case.ID, nil
}

func (w *writer) move(ctx context.Context, id int64) error {
	status, err := w.api.call(ctx, http.MethodPost, "/api/v1/cases/"+strconv.FormatInt(id, 10)+"/transitions", map[string]any{"to": "referred"}, &struct{}{})
	if err != nil {
		return err
	}
	w.acks.add(func(a *acks) {
		if status == http.StatusOK {
			a.moves[id] = true
		} else {
			a.refused[status]++
		}
	})
	return nil
}

func (w *writer) consent(ctx context.Context, id int64) error {
	in := map[string]any{"organization_id": w.partner, "classes": []string{"non_identifying"}, "purpose": "referral",
		"given_how": "written", "valid_until": time.Now().AddDate(0, 1, 0)}
	var out struct {
		Consent struct {
			ID int64 `json:"id"`
		} `json:"consent"`
	}
	status, err := w.api.call(ctx, http.MethodPost, "/api/v1/cases/"+strconv.FormatInt(id, 10)+"/consents", in, &out)
	if err != nil {
		return err
	}
	w.acks.add(func(a *acks) {
		if status == http.StatusCreated && out.Consent.ID != 0 {
			a.consents[out.Consent.ID] = id
		} else {
			a.refused[status]++
		}
	})
	return nil
}
