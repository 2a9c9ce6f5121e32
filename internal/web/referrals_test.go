package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"puente/internal/demo"
)

var referButton = regexp.MustCompile(`action="/cases/(\d+)/referrals/new"[^>]*>\s*<input type="hidden" name="service" value="([^"]+)"><input type="hidden" name="location" value="([^"]*)">`)

// referFromCase matches a case and returns the new-referral form's path
// for the first match whose service is named name.
func referFromCase(t *testing.T, b *browser, caseID int64, name string) string {
	t.Helper()
	res := b.get(fmt.Sprintf("/cases/%d/match?need=emergency_shelter&place=elpaso&gender=man&age_band=25-34&exploitation=forced_labor&languages=es&status=unknown&side=either", caseID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("case match: %d", res.StatusCode)
	}
	i := strings.Index(res.body, name)
	if i < 0 {
		t.Fatalf("%s is not offered:\n%.2000s", name, res.body)
	}
	m := referButton.FindStringSubmatch(res.body[i:])
	if m == nil {
		t.Fatalf("no referral button after %s", name)
	}
	return fmt.Sprintf("/cases/%s/referrals/new?service=%s&location=%s&place=elpaso&need=emergency_shelter", m[1], m[2], m[3])
}

var referralPath = regexp.MustCompile(`^/referrals/(\d+)`)

// TestReferralAcrossTheBorder walks the referral on both engines:
// an El Paso caseworker refers an adult man to the Juárez men's shelter,
// sharing only his name; the shelter sees exactly that, accepts, starts
// and completes the service; the outcome shows on the case.
func TestReferralAcrossTheBorder(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		cw := e.signIn("caseworker")
		caseID := cw.createCase("R1A2B3")
		newPath := referFromCase(t, cw, caseID, "Casa Hombres de Paso (demo)")
		page := cw.get(newPath)
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `id="contact-paths"`) || !strings.Contains(page.body, "Consulado Ficticio de México en El Paso (demo)") {
			t.Fatalf("the referral form does not show both countries' contact paths (%d)", page.StatusCode)
		}
		tok := csrfRE.FindStringSubmatch(page.body)[1]
		u, _ := strings.CutPrefix(newPath, fmt.Sprintf("/cases/%d/referrals/new?", caseID))
		q := mustQuery(t, u)
		f := form("csrf_token", tok, "service", q.Get("service"), "location", q.Get("location"), "place", "elpaso",
			"need", "emergency_shelter", "class", "non_identifying", "class", "identity", "given_how", "verbal", "witness", "",
			"valid_until", e.clock.Now().AddDate(0, 1, 0).Format("2006-01-02"), "answer_days", "3", "note", "Arrives with one bag.")
		if res := cw.post(fmt.Sprintf("/cases/%d/referrals", caseID), f); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, `value="Arrives with one bag."`) && !strings.Contains(res.body, "Arrives with one bag.") {
			t.Fatalf("a verbal consent without a witness: %d", res.StatusCode)
		}
		f.Set("witness", "Ana Testigo")
		res := cw.post(fmt.Sprintf("/cases/%d/referrals", caseID), f)
		m := referralPath.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("send referral: %d %q\n%.2000s", res.StatusCode, res.Header.Get("Location"), res.body)
		}
		refID, _ := strconv.ParseInt(m[1], 10, 64)
		path := "/referrals/" + m[1]
		if body := cw.get(fmt.Sprintf("/cases/%d", caseID)).body; !strings.Contains(body, "Sent") || !strings.Contains(body, `id="case-status">Referred`) {
			t.Error("the case page does not show the sent referral or the referred status")
		}

		shelter := e.signIn("albergue.hombres")
		if dash := shelter.get("/dashboard"); !strings.Contains(dash.body, `id="referrals-waiting"`) {
			t.Error("the shelter's dashboard does not say a referral waits for its answer")
		}
		queue := shelter.get("/referrals?box=in")
		if !strings.Contains(queue.body, fmt.Sprintf(`href="/referrals/%d"`, refID)) {
			t.Fatal("the referral is not in the shelter's queue")
		}
		view := shelter.get(path)
		if !strings.Contains(view.body, "CanaryR1A2B3Given") || strings.Contains(view.body, "CanaryR1A2B3Story") || strings.Contains(view.body, "CanaryR1A2B3Street") {
			t.Error("the shelter does not see exactly the shared classes")
		}
		for _, to := range []string{"accepted", "in_service"} {
			tok := csrfRE.FindStringSubmatch(shelter.get(path).body)[1]
			if res := shelter.post(path+"/respond", form("csrf_token", tok, "to", to)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%.1500s", to, res.StatusCode, res.body)
			}
		}
		tok = csrfRE.FindStringSubmatch(shelter.get(path).body)[1]
		if res := shelter.post(path+"/respond", form("csrf_token", tok, "to", "completed")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("completed without an outcome: %d", res.StatusCode)
		}
		if res := shelter.post(path+"/respond", form("csrf_token", tok, "to", "completed", "reason", "services_provided", "note", "Stayed two weeks.")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("complete: %d", res.StatusCode)
		}
		if res := shelter.post(path+"/revoke", form("csrf_token", tok, "reason", "other")); res.StatusCode != http.StatusForbidden {
			t.Errorf("the shelter withdrew the referral: %d", res.StatusCode)
		}
		caseBody := cw.get(fmt.Sprintf("/cases/%d", caseID)).body
		if !strings.Contains(caseBody, "Completed") || !strings.Contains(caseBody, "Services provided") {
			t.Error("the outcome does not show on the case")
		}
		other := e.signIn("caseworker.tijuana")
		if res := other.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("a third organization opened the referral: %d", res.StatusCode)
		}
	})
}

// TestConfidentialAddressOnlyWithAnActiveReferral refers a woman to the
// confidential Juárez shelter: the address is on no page, and cannot be
// opened, until the shelter has accepted; then the assigned caseworker may
// ask for it, the opening is audited and listed on the referral; once the
// referral is withdrawn it cannot be opened.
func TestConfidentialAddressOnlyWithAnActiveReferral(t *testing.T) {
	forEachEnv(t, confidentialAddressOnlyWithAnActiveReferral)
}

func confidentialAddressOnlyWithAnActiveReferral(t *testing.T, e *env) {
	var address string
	for _, l := range demo.Listings(e.clock.Now()) {
		if l.Organization.Name == "Refugio Mujeres Libres (demo)" {
			address = l.Location.Addresses[0].Address1
		}
	}
	if address == "" {
		t.Fatal("no confidential demo shelter")
	}
	cw := e.signIn("caseworker")
	tok := cw.csrf("/cases/new")
	f := newCaseForm(tok, "C0N1F2")
	f["gender"], f["exploitation"] = []string{"woman"}, []string{"sexual_exploitation"}
	res := cw.post("/cases", f)
	var caseID int64
	fmt.Sscanf(res.Header.Get("Location"), "/cases/%d", &caseID)
	match := cw.get(fmt.Sprintf("/cases/%d/match?need=emergency_shelter&place=juarez&gender=woman&age_band=25-34&exploitation=sexual_exploitation&status=unknown&side=either", caseID))
	i := strings.Index(match.body, "Refugio Mujeres Libres (demo)")
	if i < 0 {
		t.Fatal("the confidential shelter is not offered")
	}
	m := referButton.FindStringSubmatch(match.body[i:])
	newPath := fmt.Sprintf("/cases/%d/referrals/new?service=%s&location=%s&place=juarez&need=emergency_shelter", caseID, m[2], m[3])
	page := cw.get(newPath)
	tok = csrfRE.FindStringSubmatch(page.body)[1]
	res = cw.post(fmt.Sprintf("/cases/%d/referrals", caseID), form("csrf_token", tok, "service", m[2], "location", m[3], "place", "juarez",
		"need", "emergency_shelter", "answer_days", "3", "draft", "1"))
	path := referralPath.FindString(res.Header.Get("Location"))
	if path == "" {
		t.Fatalf("save draft: %d", res.StatusCode)
	}
	for _, body := range []string{match.body, page.body, cw.get(path).body, cw.get(fmt.Sprintf("/cases/%d", caseID)).body} {
		if strings.Contains(body, address) {
			t.Fatal("the confidential address is shown without an active referral")
		}
	}
	tok = csrfRE.FindStringSubmatch(cw.get(path).body)[1]
	if res := cw.post(path+"/address", form("csrf_token", tok)); res.StatusCode != http.StatusForbidden || strings.Contains(res.body, address) {
		t.Fatalf("a draft opened the address: %d", res.StatusCode)
	}
	if res := cw.post(path+"/send", form("csrf_token", tok)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", res.StatusCode)
	}
	// Sent, but not yet accepted: the address stays closed. (An outside
	// tester opened any shelter's address with a throwaway referral.)
	view := cw.get(path)
	if strings.Contains(view.body, address) || strings.Contains(view.body, `id="reveal-address"`) {
		t.Fatal("the address can be opened before the shelter has accepted")
	}
	if res := cw.post(path+"/address", form("csrf_token", tok)); res.StatusCode != http.StatusForbidden || strings.Contains(res.body, address) {
		t.Fatalf("a referral the shelter never answered opened the address: %d", res.StatusCode)
	}
	// The shelter is not on Puente: the caseworker records its yes, given
	// by phone.
	if res := cw.post(path+"/respond", form("csrf_token", tok, "to", "accepted")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record the acceptance: %d", res.StatusCode)
	}
	view = cw.get(path)
	if strings.Contains(view.body, address) || !strings.Contains(view.body, `id="reveal-address"`) {
		t.Fatal("the address is shown before it is asked for, or cannot be asked for")
	}
	res = cw.post(path+"/address", form("csrf_token", tok))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, address) {
		t.Fatalf("the assigned caseworker of an accepted referral cannot open the address: %d", res.StatusCode)
	}
	if !strings.Contains(cw.get(path).body, `id="address-reveals"`) {
		t.Error("the parties are not shown who opened the address")
	}
	if !strings.Contains(e.auditText(t), "directory.location.reveal") {
		t.Error("opening the address is not audited")
	}
	if res := cw.post(path+"/revoke", form("csrf_token", tok, "reason", "sent_in_error")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res := cw.post(path+"/address", form("csrf_token", tok)); res.StatusCode != http.StatusForbidden || strings.Contains(res.body, address) {
		t.Errorf("the address opened after the referral was withdrawn: %d", res.StatusCode)
	}
	if strings.Contains(cw.get(path).body, address) {
		t.Error("the address is still shown after the referral was withdrawn")
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// auditText is every audit entry's action, record, decision and reason,
// one a line.
func (e *env) auditText(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, en := range e.auditEntries() {
		fmt.Fprintf(&b, "%s %s %s %s\n", en.Action, en.Record, en.Decision, en.Reason)
	}
	return b.String()
}
