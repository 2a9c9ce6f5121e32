package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"puente/internal/access"
	"puente/internal/audit"
	"puente/internal/casework"
)

// CaseStore is what seeding demo cases needs.
type CaseStore interface {
	CreateCase(ctx context.Context, c *casework.Case) error
	UpdateCase(ctx context.Context, c *casework.Case, classes []access.Class) error
	MoveCase(ctx context.Context, id int64, t casework.Transition) error
	CreateConsent(ctx context.Context, c *casework.Consent) error
	AppendAudit(ctx context.Context, e *audit.Entry) error
}

// caseOwners are the demo organizations that hold cases, by index in
// Organizations, with the index in users of their caseworker.
var caseOwners = []struct{ org, worker int }{
	{1, 2},   // Frontera Esperanza Legal Aid, El Paso
	{3, 6},   // Albergue Puerta Abierta, Ciudad Juárez
	{7, 7},   // Casa Refugio Reynosa
	{9, 8},   // Bayside Survivors Collective, San Diego
	{10, 9},  // Defensoría Migrante Tijuana
	{11, 10}, // Gateway Workers Project, Laredo
}

// partners says with whom each owner shares some cases, across the border.
var partners = map[int]int{1: 3, 3: 1, 7: 11, 9: 10, 10: 9, 11: 7}

var (
	givenNames  = []string{"Rosa", "Juan", "Marisol", "Pedro", "Lucía", "Tomás", "Alondra", "Ixchel", "Kevin", "Brenda", "Wilmer", "Yesenia", "Darwin", "Marta", "Elías", "Jazmín"}
	familyNames = []string{"Ficticia", "Ejemplo", "Inventado", "Demostración", "Prueba", "Muestra", "Simulada", "Imaginaria"}
	places      = []string{"Tapachula", "Ciudad Juárez", "El Paso", "Reynosa", "McAllen", "Tijuana", "San Diego", "Nuevo Laredo", "Laredo", "Oaxaca"}
)

type scenario struct {
	gender, age  string
	exploitation []string
	industries   []string
	means        []string
	needs        []string
	citizenship  string
	language     string
	story        string
}

// scenarios reflect who is exploited along this border: men and boys in
// agriculture and construction, US-citizen teenagers, women in domestic work
// and sex trafficking, Indigenous-language speakers, smuggling that turned
// into forced labor. All fictional.
var scenarios = []scenario{
	{"man", "25-34", []string{"forced_labor"}, []string{"construction"}, []string{"takes_earnings", "physical_abuse", "threats"}, []string{"emergency_shelter", "wage_recovery", "medical"}, "MX", "es", "Demo story: hired for a construction crew, unpaid for weeks and beaten when he asked for his wages."},
	{"boy", "15-17", []string{"forced_labor"}, []string{"agriculture"}, []string{"debt_bondage", "restricts_movement", "withholds_documents"}, []string{"child_protection", "emergency_shelter", "legal_immigration"}, "GT", "mam", "Demo story: brought to pick crops to pay a travel debt that kept growing; the crew boss kept his papers."},
	{"girl", "15-17", []string{"sexual_exploitation"}, nil, []string{"psychological_abuse", "false_promises", "psychoactive_substances"}, []string{"child_protection", "mental_health", "medical"}, "US", "en", "Demo story: a US-citizen teenager recruited online by a man who posed as a boyfriend."},
	{"woman", "25-34", []string{"domestic_servitude"}, []string{"domestic_work"}, []string{"withholds_documents", "restricts_movement", "excessive_working_hours"}, []string{"housing", "legal_immigration", "labor_rights"}, "HN", "es", "Demo story: live-in domestic worker who could not leave the house and was never paid."},
	{"man", "35-49", []string{"forced_labor"}, []string{"restaurant"}, []string{"threats_of_law_enforcement", "takes_earnings"}, []string{"legal_labor_claims", "wage_recovery", "interpretation"}, "MX", "es", "Demo story: kitchen worker told he would be deported if he complained about his pay."},
	{"woman", "18-24", []string{"sexual_exploitation"}, nil, []string{"physical_abuse", "threats_to_family", "debt_bondage"}, []string{"emergency_shelter", "legal_immigration", "safety_planning"}, "SV", "es", "Demo story: crossing was arranged by smugglers; at the destination she was told she owed a debt and was sold."},
	{"man", "18-24", []string{"forced_criminal_activity"}, nil, []string{"threats", "physical_abuse"}, []string{"legal_criminal", "emergency_shelter", "safety_planning"}, "MX", "quc", "Demo story: made to carry drugs across the border under threat to his family."},
	{"transgender_woman", "25-34", []string{"sexual_exploitation"}, nil, []string{"psychological_abuse", "restricts_financial_access"}, []string{"housing", "medical", "mental_health"}, "VE", "es", "Demo story: recruited with an offer of salon work; turned away by two shelters that only take cisgender women."},
}

// SeedCases adds some three dozen fictional cases to the demo network,
// owned on both sides of the border, some shared by consent with a partner
// across it. orgIDs and userIDs are the ids Seed created, in order.
func SeedCases(ctx context.Context, s CaseStore, orgIDs, userIDs []int64, now time.Time) (int, error) {
	r := rand.New(rand.NewPCG(2026, 11))
	n := 0
	for round := range 6 {
		for _, owner := range caseOwners {
			sc := scenarios[(round+owner.org)%len(scenarios)]
			worker := userIDs[owner.worker]
			c := &casework.Case{
				OrgID: orgIDs[owner.org], CreatedBy: worker, Assigned: []int64{worker},
				Profile: casework.Profile{Gender: sc.gender, AgeBand: sc.age, Citizenship: []string{sc.citizenship}, Languages: []string{sc.language},
					VictimStatus: []string{"possible", "identified"}[r.IntN(2)], Exploitation: sc.exploitation, Industries: sc.industries,
					MeansOfControl: sc.means, Needs: sc.needs},
				Identity: &casework.Identity{
					GivenNames:  givenNames[r.IntN(len(givenNames))],
					FamilyNames: familyNames[r.IntN(len(familyNames))] + " (demo)",
					Phone:       fmt.Sprintf("+52 000 000 %04d", r.IntN(10000)),
				},
				Location:    &casework.Location{Address: fmt.Sprintf("Calle Ficticia %d (demo)", 100+r.IntN(900)), City: places[r.IntN(len(places))], Shelter: "Demo shelter"},
				Immigration: &casework.Immigration{Status: "Demo status", Cooperation: []string{"not_asked", "undecided", "declined", "cooperating"}[r.IntN(4)]},
				Narrative: &casework.Narrative{
					Events: []casework.Event{{Stage: "recruitment", Place: places[r.IntN(len(places))], Date: fmt.Sprintf("2026-%02d", 1+r.IntN(10)), Description: sc.story}},
					Notes:  "Fictional demo case.",
				},
			}
			if err := s.CreateCase(ctx, c); err != nil {
				return n, fmt.Errorf("seed demo case: %w", err)
			}
			if err := s.AppendAudit(ctx, &audit.Entry{At: now, ActorID: worker, Roles: "caseworker", OrgID: c.OrgID, Action: "case.create",
				Record: fmt.Sprintf("case:%d", c.ID), Decision: audit.Allow, Reason: "demo seed", RequestID: "demo"}); err != nil {
				return n, err
			}
			if err := moveDemo(ctx, s, c, worker, now, round); err != nil {
				return n, err
			}
			if round%2 == 0 {
				k := &casework.Consent{CaseID: c.ID, OrgID: orgIDs[partners[owner.org]], Purpose: "referral", GivenHow: "written",
					Classes: []access.Class{access.NonIdentifying, access.Identity, access.Narrative}, Until: now.Add(90 * 24 * time.Hour), RecordedBy: worker}
				if err := s.CreateConsent(ctx, k); err != nil {
					return n, fmt.Errorf("seed demo consent: %w", err)
				}
			}
			n++
		}
	}
	err := s.AppendAudit(ctx, &audit.Entry{At: now, Roles: "operator", Action: "demo.seed", Decision: audit.Allow, Reason: fmt.Sprintf("cases=%d", n), RequestID: "demo"})
	return n, err
}

// moveDemo spreads the demo cases over the lifecycle.
func moveDemo(ctx context.Context, s CaseStore, c *casework.Case, by int64, now time.Time, round int) error {
	path := [][]casework.Status{nil, {casework.Referred}, {casework.Referred, casework.Assisted}, {casework.Assisted}, nil, {casework.Referred, casework.Assisted}}[round]
	for _, to := range path {
		if err := c.Move(to, by, now, ""); err != nil {
			return err
		}
		if err := s.MoveCase(ctx, c.ID, c.Transitions[len(c.Transitions)-1]); err != nil {
			return fmt.Errorf("seed demo case: %w", err)
		}
	}
	return nil
}
