package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestShelterCountsItsBeds: the men's shelter in Juárez signs in, follows
// "Update beds" from its dashboard, saves today's count, and finds it in
// the directory, where confidential shelters show only their city.
func TestShelterCountsItsBeds(t *testing.T) {
	exe := findChromium(t)
	app := startApp(t)
	b := startBrowser(t, exe)

	b.signIn(app, "albergue.hombres")
	b.waitVisible("#panel-listings")
	b.noScripts()
	b.do("open the bed count form", chromedp.Click(chromedp.CSS("#panel-listings a.button")))
	b.waitText("h1", "Camas de hoy")
	b.do("use a desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.screenshot("beds-form-es.png")
	b.do("count the beds",
		chromedp.SetValue(chromedp.CSS("#beds"), ""),
		chromedp.SendKeys(chromedp.CSS("#beds"), "40"),
		chromedp.SetValue(chromedp.CSS("#free"), ""),
		chromedp.SendKeys(chromedp.CSS("#free"), "9"),
		chromedp.Click(chromedp.CSS("#save-beds")),
	)
	b.waitText(".flash", "Se guardó el conteo de camas. Gracias.")
	if got := b.text(".beds"); !strings.Contains(got, "9 de 40 camas libres") {
		b.fail("the form shows %q after saving", got)
	}

	b.do("open the directory", chromedp.Navigate(app+"/directory?country=MX"))
	b.waitText("h1", "Directorio de servicios")
	b.noScripts()
	if got := b.text("body"); !strings.Contains(got, "9 de 40 camas libres") || !strings.Contains(got, "Zona: Ciudad Juárez, Chihuahua") {
		b.fail("the directory does not show the new count and the confidential shelter's area")
	}
	b.absent("Confidential shelter location (demo)")
	b.screenshot("directory-es.png")
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	b.screenshot("directory-es-phone.png")
}
