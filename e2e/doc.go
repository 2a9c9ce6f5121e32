// Package e2e holds end-to-end tests that drive a real headless Chromium
// against Puente served in-process, and assert on what a person sees.
//
// The tests need Chromium: set PUENTE_CHROMIUM to its path or put chromium,
// chromium-browser or google-chrome on PATH. Without one they skip, unless
// PUENTE_REQUIRE_BROWSER is set, as CI does, in which case they fail.
// Screenshots go to PUENTE_ARTIFACTS, or to artifacts/ at the repository root.
package e2e
