package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"puente/internal/demo"
)

// TestConsentGovernsWhatAnotherOrganizationSees: a caseworker in El Paso
// records a case; a caseworker at a shelter in Ciudad Juárez cannot open it
// by guessing its URL; once the survivor's consent is recorded they see
// exactly the classes granted; after revocation, nothing.
func TestConsentGovernsWhatAnotherOrganizationSees(t *testing.T) {
	exe := findChromium(t)
	app := startApp(t)
	owner := startBrowser(t, exe)
	outsider := startBrowser(t, exe)

	owner.signIn(app, "caseworker")
	owner.do("open the new-case form", chromedp.Navigate(app+"/cases/new"))
	owner.waitText("h1", "New case")
	owner.do("fill in the case",
		chromedp.SetValue(chromedp.CSS("#given_names"), "Canario"),
		chromedp.SetValue(chromedp.CSS("#family_names"), "Navegador"),
		chromedp.SetValue(chromedp.CSS("#shelter"), "Casa Segura Norte"),
		chromedp.SetValue(chromedp.CSS("#immigration_status"), "Pendiente"),
		chromedp.SetValue(chromedp.CSS("#notes"), "Historia de prueba"),
		chromedp.Click(chromedp.CSS("#save-case")),
	)
	owner.waitText(".flash", "The case was saved.")
	owner.waitText("#person-name", "Canario Navegador")
	caseURL := owner.location()
	u, err := url.Parse(caseURL)
	if err != nil || !strings.HasPrefix(u.Path, "/cases/") {
		owner.fail("after saving, the browser is at %q, not a case page", caseURL)
	}

	outsider.signIn(app, "caseworker.juarez")
	outsider.do("guess the case's URL", chromedp.Navigate(app+u.Path))
	outsider.waitText("h1", "No pudimos hacerlo")
	outsider.absent("Canario")

	owner.do("record a consent for the Juárez shelter: profile and location only",
		chromedp.Click(chromedp.CSS("#consents summary")),
		chromedp.SetValue(chromedp.CSS("#consent-org"), fmt.Sprint(orgID(t, owner, "Albergue Puerta Abierta (demo)"))),
		chromedp.Click(chromedp.CSS(`input[name="class"][value="non_identifying"]`)),
		chromedp.Click(chromedp.CSS(`input[name="class"][value="location"]`)),
		chromedp.Click(chromedp.CSS("#add-consent")),
	)
	owner.waitText(".flash", "The consent was recorded.")
	owner.screenshot("case-owner.png")

	outsider.do("open the case again", chromedp.Navigate(app+u.Path))
	outsider.waitVisible("#class-location")
	outsider.waitVisible("#hidden-classes")
	page := outsider.text("main")
	if !strings.Contains(page, "Casa Segura Norte") {
		outsider.fail("the consented location is not shown")
	}
	for _, leak := range []string{"Canario", "Navegador", "Pendiente", "Historia de prueba"} {
		if strings.Contains(page, leak) {
			outsider.fail("the outsider sees %q, which the consent does not grant", leak)
		}
	}
	outsider.screenshot("case-outsider-consent.png")

	owner.do("revoke the consent", chromedp.Navigate(caseURL))
	owner.do("press revoke", chromedp.Click(chromedp.CSS(`#consents button.danger`)))
	owner.waitText(".flash", "The consent was revoked. It no longer gives access.")

	outsider.do("open the case after revocation", chromedp.Navigate(app+u.Path))
	outsider.waitText("h1", "No pudimos hacerlo")
	outsider.absent("Casa Segura Norte")
}

// signIn signs a demo user in through the form.
func (b *browser) signIn(app, local string) {
	b.t.Helper()
	b.do("open the sign-in page", chromedp.Navigate(app+"/login"))
	b.do("sign in as "+local,
		chromedp.SendKeys(chromedp.CSS("#email"), local+"@"+demo.Domain),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS("#sign-in")),
	)
	b.waitVisible("#sign-out")
}

// absent fails if the page shows s anywhere.
func (b *browser) absent(s string) {
	b.t.Helper()
	if strings.Contains(b.text("body"), s) {
		b.fail("the page shows %q", s)
	}
}

// orgID reads an organization's id from the consent form's options.
func orgID(t *testing.T, b *browser, name string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`[...document.querySelectorAll('#consent-org option')].find(o => o.textContent.startsWith(%q)).value`, name)))
	if err != nil || v == "" {
		b.fail("no option for %s in the consent form: %v", name, err)
	}
	return v
}
