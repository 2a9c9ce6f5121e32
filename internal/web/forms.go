package web

import (
	"net/http"
	"strconv"

	"puente/internal/problem"
)

// formErrors maps a field name to the translation key of what is wrong with it.
type formErrors map[string]string

// invalidFields returns the field errors carried by err, if it is a problem a
// person can fix in the form; otherwise ok is false and err should be failed.
func invalidFields(err error) (formErrors, bool) {
	pe := problem.As(err)
	if (pe.Kind != problem.Invalid && pe.Kind != problem.Conflict) || len(pe.Fields) == 0 {
		return nil, false
	}
	out := formErrors{}
	for _, f := range pe.Fields {
		if _, seen := out[f.Field]; !seen {
			out[f.Field] = f.Key
		}
	}
	return out, true
}

// pathID reads the {id} wildcard; a malformed id is simply not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.New(problem.NotFound, "error.not_found")
	}
	return id, nil
}

func checked(r *http.Request, name string) bool { return r.PostForm.Get(name) != "" }
