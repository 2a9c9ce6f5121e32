package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"puente/internal/demo"
	"puente/internal/password"
	"puente/internal/secret"
	"puente/internal/store/storetest"
	"puente/internal/web"
	"puente/internal/wiring"
)

// TestSignInSpanishSignOut signs a demo caseworker in, switches the
// interface to Spanish, signs out, and checks the dashboard is then closed.
func TestSignInSpanishSignOut(t *testing.T) {
	exe := findChromium(t)
	app := startApp(t)
	b := startBrowser(t, exe)

	b.do("open the sign-in page", chromedp.Navigate(app+"/login"))
	b.waitText("h1", "Sign in")
	b.waitVisible(".demo-banner")
	b.noScripts()

	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "caseworker@"+demo.Domain),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS("#sign-in")),
	)
	b.waitText("h1", "Dashboard")
	b.waitVisible("#panel-caseworker")
	b.noScripts()

	b.do("switch to Spanish", chromedp.Click(chromedp.CSS("#lang-switch")))
	b.waitText("h1", "Panel principal")
	lang, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil || lang.Value != "es" {
		b.fail("want <html lang=\"es\">, got %q (%v)", lang.Value, err)
	}
	b.waitText("#panel-caseworker h2", "Sus casos")
	if nav := b.text("header nav"); !strings.Contains(nav, "Cerrar sesión") {
		b.fail("want the nav to offer \"Cerrar sesión\", it shows %q", nav)
	}
	b.do("use a desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.screenshot("dashboard-es.png")
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	b.screenshot("dashboard-es-phone.png")
	b.do("reset the viewport", chromedp.ResetViewport())

	b.do("sign out", chromedp.Click(chromedp.CSS("#sign-out")))
	b.waitText("h1", "Iniciar sesión")
	b.waitText(".flash", "Usted cerró su sesión.")

	b.do("open the dashboard after signing out", chromedp.Navigate(app+"/dashboard"))
	if u, err := url.Parse(b.location()); err != nil || u.Path != "/login" {
		b.fail("want /dashboard to send a signed-out browser to /login")
	}
	b.waitText("h1", "Iniciar sesión")
}

// findChromium returns the browser to drive, or skips the test without one.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PUENTE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium found: install Debian's chromium package or set PUENTE_CHROMIUM"
	if os.Getenv("PUENTE_REQUIRE_BROWSER") != "" {
		t.Fatal(msg + " (PUENTE_REQUIRE_BROWSER is set)")
	}
	t.Skip(msg)
	return ""
}

// startApp serves Puente with the demo data on a loopback address and
// returns its base URL.
func startApp(t *testing.T) string {
	t.Helper()
	db := storetest.SQLite(t)
	key, err := secret.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	db.UseKeyring(key)
	fast := password.Params{Memory: 64, Time: 1, Threads: 1}
	hash := func(pw string) (string, error) { return password.Hash(pw, fast) }
	if _, err := demo.Seed(context.Background(), db, hash, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Services: wiring.Services(db, key, wiring.Options{Password: fast}), Keys: key, Demo: true, Version: "test", Password: fast})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// browser is one Chromium tab and the deadline every step shares.
type browser struct {
	t    *testing.T
	tab  context.Context // the running browser, without a deadline
	ctx  context.Context // tab with the test's overall deadline
	shot string          // where screenshots go
}

func startBrowser(t *testing.T, exe string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		chromedp.Cancel(tab) // close the browser before its profile is removed
		cancelTab()
		cancelAlloc()
	})
	// The first run starts the browser and ties its life to tab, so it
	// must have no deadline; the steps get one from a context derived after.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(cancel)
	return &browser{t: t, tab: tab, ctx: ctx, shot: artifactDir(t)}
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// waitText waits until the first element matching sel is visible and reads
// want, and fails with what the page shows when the deadline passes first.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	var got string
	var err error
	for b.ctx.Err() == nil {
		try, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		got, err = chromedp.Run(try, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if got = strings.TrimSpace(got); err == nil && got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.fail("timed out waiting for %s to read %q; last read %q (%v)", sel, want, got, err)
}

func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.fail("read %s: %v", sel, err)
	}
	return s
}

// noScripts checks the page ships no JavaScript: Puente needs none.
func (b *browser) noScripts() {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.scripts.length"))
	if err != nil || n != 0 {
		b.fail("want no <script> elements, got %d (%v)", n, err)
	}
}

func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	b.saveShot(name, png, err)
}

// screenshotOf saves a picture of the first element matching sel.
func (b *browser) screenshotOf(sel, name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS(sel), chromedp.NodeVisible))
	b.saveShot(name, png, err)
}

func (b *browser) saveShot(name string, png []byte, err error) {
	b.t.Helper()
	if err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shot, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// location returns the tab's URL; it works after the deadline has passed.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// fail stops the test, saying where the browser is and what it shows.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		h1 = "(unknown: " + err.Error() + ")"
	}
	b.t.Fatalf(format+"\n\tpage: %s\n\th1:   %q", append(args, b.location(), strings.TrimSpace(h1))...)
}

// artifactDir is PUENTE_ARTIFACTS, or artifacts/ at the repository root.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PUENTE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts") // tests run in e2e/
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
