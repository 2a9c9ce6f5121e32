package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSpanishInterviewForLaborTrafficking: a screener runs a whole interview
// in Spanish for a labor-trafficking case, page by page, and sees the
// determination with its explanation.
func TestSpanishInterviewForLaborTrafficking(t *testing.T) {
	raw, err := os.ReadFile("../../shared/screening/vignettes.json")
	if err != nil {
		t.Skipf("shared vignettes not found: %v", err)
	}
	var vignettes []struct {
		ID      string            `json:"id"`
		Age     int               `json:"age"`
		Answers map[string]string `json:"answers"`
	}
	if err := json.Unmarshal(raw, &vignettes); err != nil {
		t.Fatal(err)
	}
	var answers map[string]string
	var age int
	for _, v := range vignettes {
		if v.ID == "P02" { // labor trafficking under both laws
			answers, age = v.Answers, v.Age
		}
	}
	exe := findChromium(t)
	app := startApp(t)
	b := startBrowser(t, exe)
	b.signIn(app, "screener") // Sofía works in Spanish
	b.do("open a new screening", chromedp.Navigate(app+"/screenings/new"))
	b.waitText("h1", "Nueva entrevista de detección")
	b.do("start it", chromedp.Click(chromedp.CSS("#start-screening")))
	b.waitVisible("#module-title")
	b.screenshot("screening-es-step.png")
	answerJSON, _ := json.Marshal(answers)
	for step := 0; step < 30; step++ {
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('fieldset.question').length`))
		if err != nil {
			b.fail("count questions: %v", err)
		}
		if n == 0 {
			break
		}
		// Answer every question on the page as the interviewer would record
		// the vignette, "No sabe" where the vignette is silent.
		script := fmt.Sprintf(`(() => { const a = %s; let n = 0;
			document.querySelectorAll('fieldset.question').forEach(f => {
				const id = f.id.slice(2); const v = a[id] || 'unknown';
				const r = f.querySelector('input[value="' + v + '"]'); if (r) { r.click(); n++; } });
			const age = document.querySelector('#age'); if (age) age.value = '%d';
			return n; })()`, answerJSON, age)
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](script)); err != nil {
			b.fail("answer step %d: %v", step, err)
		}
		before := b.answered()
		b.do(fmt.Sprintf("save step %d", step), chromedp.Click(chromedp.CSS("#save-step")))
		b.waitAnsweredChange(before)
	}
	b.do("see the result", chromedp.Click(chromedp.CSS("#finish-screening")))
	b.waitText("#determination-us", "Trata de personas con fines de explotación laboral")
	b.waitText("#determination-mx", "Trata de personas con fines de explotación laboral")
	explanation := b.text("#jur-us .explanation")
	if len(explanation) < 40 || !strings.Contains(b.text("#jur-us"), "U.S.C.") {
		b.fail("the US result lacks an explanation or its law: %q", explanation)
	}
	b.screenshot("screening-es-result.png")

	// The list with this interview in it, on a small phone.
	b.do("emulate a 360 px phone", chromedp.EmulateViewport(360, 740, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	b.do("open the list", chromedp.Navigate(app+"/screenings"))
	b.waitText("h1", "Entrevistas de detección")
	b.waitText("table tbody tr td:nth-child(2)", "Terminada")
	fits, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		b.fail("the screenings list scrolls sideways at 360 px (%v)", err)
	}
	b.screenshot("screenings-es-phone.png")
	b.screenshotOf(".table-wrap", "screenings-es-phone-table.png")
}

// answered reads how many answers the interview page says it has; "" while
// the page is loading.
func (b *browser) answered() string {
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector('form.interview') || {dataset: {}}).dataset.answered || ''`))
	if err != nil {
		return ""
	}
	return v
}

// waitAnsweredChange waits for the next step's page: saving a step is a
// form post and a redirect, and until the new page has loaded the old one's
// buttons are still there to be clicked, or vanish under the click.
func (b *browser) waitAnsweredChange(before string) {
	b.t.Helper()
	for b.ctx.Err() == nil {
		if now := b.answered(); now != "" && now != before {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.fail("the interview did not move past %s answers", before)
}
