package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScreenVignettes(t *testing.T) {
	path := "../../../shared/screening/vignettes.json"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared vignettes not found: %v", err)
	}
	out, err := runCmd(t, "", "screen", "--in", path)
	if err != nil {
		t.Fatalf("screen: %v\n%s", err, out)
	}
	var got []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%.500s", err, out)
	}
	var want []struct {
		ID       string            `json:"id"`
		Expected map[string]string `json:"expected"`
	}
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &want)
	if len(got) != len(want) {
		t.Fatalf("%d results for %d inputs", len(got), len(want))
	}
	for i, w := range want {
		var id string
		json.Unmarshal(got[i]["id"], &id)
		if id != w.ID {
			t.Errorf("result %d has id %q, want %q", i, id, w.ID)
		}
		for j, label := range w.Expected {
			var res struct {
				Determination string   `json:"determination"`
				ExplanationEN string   `json:"explanation_en"`
				ExplanationES string   `json:"explanation_es"`
				Citations     []string `json:"citations"`
				Missing       []string `json:"missing"`
			}
			if err := json.Unmarshal(got[i][j], &res); err != nil {
				t.Fatalf("%s %s: %v", w.ID, j, err)
			}
			if res.Determination != label || res.ExplanationEN == "" || res.ExplanationES == "" || len(res.Citations) == 0 {
				t.Errorf("%s %s: %+v, want %s with explanations and citations", w.ID, j, res, label)
			}
		}
		if _, ok := got[i]["un"]; !ok {
			t.Errorf("%s: no UN result", w.ID)
		}
	}
}

func TestScreenRefusesBadInputNamingIt(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	for _, tt := range []struct {
		name, body, args, want string
	}{
		{"unknown id", `{"id":"x","answers":{"ZZ01":"yes"}}`, "", "ZZ01"},
		{"bad value", `[{"id":"a","answers":{"SM01":"yes"}},{"id":"b","answers":{"SM01":"maybe"}}]`, "", `id "b"`},
		{"bad age", `{"id":"x","age":300,"answers":{"SM01":"yes"}}`, "", "age"},
		{"not json", `SM01=yes`, "", "not valid input"},
		{"empty", ``, "", "empty"},
		{"no answers", `{"id":"x"}`, "", "answers"},
		{"bad jurisdiction", `{"id":"x","answers":{"SM01":"yes"}}`, "us,ca", "ca"},
	} {
		args := []string{"screen", "--in", write(tt.name+".json", tt.body)}
		if tt.args != "" {
			args = append(args, "--jurisdiction", tt.args)
		}
		out, err := runCmd(t, "", args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v (output %q), want it to name %q", tt.name, err, out, tt.want)
		}
	}
	out, err := runCmd(t, `{"id":"s","age":16,"answers":{"CTX01":"yes","PU01":"yes","ACT01":"yes"}}`, "screen", "--in", "-", "--jurisdiction", "us")
	if err != nil || !strings.Contains(out, `"trafficking_sex"`) || strings.Contains(out, `"mx"`) {
		t.Fatalf("stdin, us only: %v\n%s", err, out)
	}
}
