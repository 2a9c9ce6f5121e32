package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestMatchAManInElPaso is the scenario on the demo directory: an
// adult man, labor trafficking, no papers, in El Paso, needing a shelter and
// immigration help. The only shelter that takes him is across the border.
func TestMatchAManInElPaso(t *testing.T) {
	e := sqliteEnv(t)
	b := e.signIn("caseworker")
	res := b.get("/directory/match?need=emergency_shelter&need=legal_immigration&place=elpaso&gender=man&age=34&exploitation=forced_labor&languages=es&status=undocumented&side=either")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("match: %d", res.StatusCode)
	}
	matches := res.body[strings.Index(res.body, `id="matches"`):]
	if i := strings.Index(matches, `id="excluded"`); i > 0 {
		matches = matches[:i]
	}
	if !strings.Contains(matches, "Casa Hombres de Paso (demo)") || !strings.Contains(matches, "Crosses the border") {
		t.Error("the Juárez men's shelter is not offered across the border")
	}
	excluded := res.body[strings.Index(res.body, `id="excluded"`):]
	if !strings.Contains(excluded, "Takes only: Woman") {
		t.Errorf("women-only shelters are not shown as excluded for his gender:\n%.3000s", excluded)
	}
	if strings.Contains(res.body, "directory.reason.") || strings.Contains(res.body, "directory.excluded.") || strings.Contains(res.body, "%!") {
		t.Error("an untranslated reason key is shown")
	}
	if res := b.get("/directory/match?need=emergency_shelter&age=abc"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bad age: %d", res.StatusCode)
	}
	if res := b.get("/directory/match?need=flying_carpet"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown need: %d", res.StatusCode)
	}
}
