package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"puente/internal/store/storetest"
)

// BenchmarkDashboard measures one signed-in page through every middleware
// layer (session lookup, access check, rendering) on SQLite, without the
// network: what a person on a weak phone connection waits for on our side.
func BenchmarkDashboard(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b))
	br := e.signIn("admin")
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/dashboard", nil)
	req.Header.Set("Cookie", "__Host-puente_session="+br.cookies["__Host-puente_session"])
	h := e.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "panel-admin") {
			b.Fatalf("status %d", w.Code)
		}
	}
}
