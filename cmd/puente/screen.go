package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"puente/internal/screening"
)

const screenHelp = `Usage: puente screen --in FILE [--jurisdiction us,mx,un]

Evaluates screening answers against US law (TVPA), Mexican law (Ley General
2012) and the UN Protocols, without touching any database. FILE holds one
JSON object or an array of them, shaped like the shared vignettes:

  {"id": "A1", "age": 16, "answers": {"CTX01": "yes", "PU01": "yes", "ACT01": "yes"}}

Answers are yes, no, unknown or declined, keyed by the protocol's indicator
ids. An unknown id or value is an error that names it; nothing is ignored.
The output is a JSON array, one object per input:

  [{"id": "A1", "us": {"determination": …, "elements": …, "citations": …,
    "explanation_en": …, "explanation_es": …, "missing": …}, "mx": {…}, "un": {…}}]

Use --in - to read standard input.

Examples:
  puente screen --in answers.json
  puente screen --in vignettes.json --jurisdiction us,mx
  cat one.json | puente screen --in -
`

// maxScreenInput bounds what the command reads, so a wrong file (a disk
// image, a log) fails fast instead of filling memory.
const maxScreenInput = 64 << 20

func runScreen(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("screen", screenHelp, out)
	in := fs.String("in", "", "input `file` (JSON object or array), or - for standard input")
	jur := fs.String("jurisdiction", "us,mx,un", "comma-separated `jurisdictions` to evaluate: us, mx, un")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return errors.New("screen: --in is required (a file, or - for standard input)")
	}
	js, err := parseJurisdictions(*jur)
	if err != nil {
		return err
	}
	inputs, err := readScreenInputs(*in)
	if err != nil {
		return err
	}
	p := screening.Load()
	var problems []string
	results := make([]map[string]any, 0, len(inputs))
	for i, input := range inputs {
		rs, err := p.EvaluateAll(input, js...)
		if err != nil {
			problems = append(problems, fmt.Sprintf("input %d (id %q): %v", i+1, input.ID, err))
			continue
		}
		row := map[string]any{"id": input.ID}
		for j, r := range rs {
			row[string(j)] = r
		}
		results = append(results, row)
	}
	if len(problems) > 0 {
		return fmt.Errorf("screen: %d of %d inputs are invalid; nothing was evaluated:\n  %s", len(problems), len(inputs), strings.Join(problems, "\n  "))
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

func parseJurisdictions(s string) ([]screening.Jurisdiction, error) {
	var out []screening.Jurisdiction
	for _, part := range strings.Split(s, ",") {
		j := screening.Jurisdiction(strings.TrimSpace(strings.ToLower(part)))
		if !slices.Contains(screening.Jurisdictions, j) {
			return nil, fmt.Errorf("screen: unknown jurisdiction %q (want us, mx or un)", part)
		}
		if !slices.Contains(out, j) {
			out = append(out, j)
		}
	}
	return out, nil
}

// readScreenInputs reads one object or an array of objects. Other fields
// are allowed, so the shared vignettes (with narratives and expected
// results) can be fed in as they are; answers are checked strictly later.
func readScreenInputs(path string) ([]screening.Input, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("screen: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxScreenInput+1))
	if err != nil {
		return nil, fmt.Errorf("screen: read %s: %w", path, err)
	}
	if len(b) > maxScreenInput {
		return nil, fmt.Errorf("screen: %s is larger than %d MiB", path, maxScreenInput>>20)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("screen: %s is empty", path)
	}
	decode := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("screen: %s is not valid input: %w", path, err)
		}
		if dec.More() {
			return fmt.Errorf("screen: %s has data after the JSON value", path)
		}
		return nil
	}
	if b[0] == '[' {
		var many []screening.Input
		if err := decode(&many); err != nil {
			return nil, err
		}
		return many, nil
	}
	var one screening.Input
	if err := decode(&one); err != nil {
		return nil, err
	}
	if one.Answers == nil {
		return nil, fmt.Errorf("screen: %s has no \"answers\" object", path)
	}
	return []screening.Input{one}, nil
}
