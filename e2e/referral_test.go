package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestReferralFromElPasoToJuarez is the scenario: a caseworker in
// El Paso records an adult man who was trafficked for labor and needs a
// shelter; El Paso has no shelter that takes him, so she matches him to the
// men's shelter in Ciudad Juárez, sees that the referral crosses the border
// and whom to contact on each side, and sends it with his consent to share
// his name. The shelter finds it in its queue, sees his name and nothing
// else, accepts it, takes him in and records the outcome, which then shows
// on his case in El Paso.
func TestReferralFromElPasoToJuarez(t *testing.T) {
	exe := findChromium(t)
	app := startApp(t)
	cw := startBrowser(t, exe)
	shelter := startBrowser(t, exe)

	cw.signIn(app, "caseworker")
	cw.do("open the new-case form", chromedp.Navigate(app+"/cases/new"))
	cw.waitText("h1", "New case")
	cw.do("record an adult man trafficked for labor who needs a shelter",
		chromedp.SetValue(chromedp.CSS("#gender"), "man"),
		chromedp.SetValue(chromedp.CSS("#age_band"), "35-49"),
		chromedp.SetValue(chromedp.CSS("#languages"), "es"),
		chromedp.Click(chromedp.CSS(`input[name="exploitation"][value="forced_labor"]`)),
		chromedp.Click(chromedp.CSS(`input[name="needs"][value="emergency_shelter"]`)),
		chromedp.SetValue(chromedp.CSS("#given_names"), "Mateo"),
		chromedp.SetValue(chromedp.CSS("#family_names"), "Referido"),
		chromedp.SetValue(chromedp.CSS("#notes"), "Golpeado y sin pago durante dos semanas"),
		chromedp.Click(chromedp.CSS("#save-case")),
	)
	cw.waitText(".flash", "The case was saved.")
	caseURL := cw.location()

	cw.do("find services for the case", chromedp.Click(chromedp.CSS("#find-services-for-case")))
	cw.waitVisible("#matches")
	matches := cw.text("#matches")
	if !strings.Contains(matches, "Casa Hombres de Paso (demo)") || !strings.Contains(matches, "Crosses the border") {
		cw.fail("the Juárez men's shelter is not offered across the border:\n%s", matches)
	}
	if excluded := cw.text("#excluded"); !strings.Contains(excluded, "Takes only: Woman") {
		cw.fail("the women-only shelters are not shown as left out:\n%s", excluded)
	}
	cw.screenshotOf("#matches", "referral-match.png")
	cw.do("refer him to the men's shelter",
		chromedp.Click(`//li[contains(., "Casa Hombres de Paso (demo)")]//button[contains(@class, "refer")]`))
	cw.waitText("h1", "New referral")
	if paths := cw.text("#contact-paths"); !strings.Contains(paths, "United States") || !strings.Contains(paths, "Mexico") {
		cw.fail("the referral does not show both countries' contact paths:\n%s", paths)
	}
	cw.do("share his name, with his written consent, and send",
		chromedp.Click(chromedp.CSS(`input[name="class"][value="identity"]`)),
		chromedp.SetValue(chromedp.CSS("#note"), "Llega el martes por la mañana."),
	)
	cw.screenshotOf("form[action$='/referrals']", "referral-new.png")
	cw.screenshotOf("#contact-paths", "referral-contact-paths.png")
	cw.do("send", chromedp.Click(chromedp.CSS("#send-referral")))
	cw.waitText(".flash", "The referral was sent.")
	cw.waitText("#referral-status", "Sent")
	refURL, err := url.Parse(cw.location())
	if err != nil || !strings.HasPrefix(refURL.Path, "/referrals/") {
		cw.fail("after sending, the browser is at %q", cw.location())
	}

	shelter.signIn(app, "albergue.hombres")
	shelter.do("open the queue", chromedp.Navigate(app+"/referrals?box=in"))
	shelter.waitText("h1", "Canalizaciones")
	shelter.do("open the referral", chromedp.Click(chromedp.CSS(`#referrals a[href="`+refURL.Path+`"]`)))
	shelter.waitText("#shared-name", "Mateo Referido")
	shelter.absent("Golpeado")
	shelter.screenshot("referral-received-es.png")
	shelter.do("accept", chromedp.Click(chromedp.CSS("#to-accepted")))
	shelter.waitText("#referral-status", "Aceptada")
	shelter.do("he arrived", chromedp.Click(chromedp.CSS("#to-in_service")))
	shelter.waitText("#referral-status", "En atención")
	shelter.do("record the outcome",
		chromedp.SetValue(chromedp.CSS("#outcome"), "services_provided"),
		chromedp.SetValue(chromedp.CSS("#outcome-note"), "Se quedó tres semanas."),
		chromedp.Click(chromedp.CSS("#to-completed")),
	)
	shelter.waitText("#referral-status", "Concluida")

	cw.do("open the case again", chromedp.Navigate(caseURL))
	cw.waitVisible("#referrals")
	row := cw.text("#referrals")
	if !strings.Contains(row, "Completed") || !strings.Contains(row, "Services provided") || !strings.Contains(row, "Casa Hombres de Paso (demo)") {
		cw.fail("the outcome does not show on the case:\n%s", row)
	}
	cw.waitText("#case-status", "Referred")
	cw.screenshotOf("#referrals", "referral-outcome-on-case.png")

	cw.do("open the gap report", chromedp.Navigate(app+"/directory/gaps"))
	if page := cw.text("main"); !strings.Contains(page, "Unserved") {
		cw.fail("the gap report shows no unserved combination:\n%.1000s", page)
	}
	cw.screenshot("gaps.png")
	cw.screenshotOf("#gap-charts", "gaps-chart.png")
	cw.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	cw.screenshot("gaps-phone.png")
}
