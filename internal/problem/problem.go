// Package problem is Puente's one error vocabulary. Domain code says what
// kind of failure happened and names a translation key for the person who
// will read it; the web edge maps the kind to an HTTP status and the key to a
// message in the reader's language, once. Internals never reach a user.
package problem

import (
	"errors"
	"fmt"
)

// Kind classifies a failure independently of any transport.
type Kind int

// The kinds of failure Puente reports.
const (
	Internal     Kind = iota // a bug or an unavailable dependency; details go to the log only
	Invalid                  // the input is wrong; Fields says where
	NotFound                 // no such record, or the caller may not know it exists
	Forbidden                // the caller is known but may not do this
	Unauthorized             // the caller is not signed in, or the credentials are wrong
	Conflict                 // the record already exists or changed underneath
	TooMany                  // throttled or locked out for now
	TooLarge                 // the request body is over the limit
	Unavailable              // the server is busy for now: try again in a moment
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Forbidden:
		return "forbidden"
	case Unauthorized:
		return "unauthorized"
	case Conflict:
		return "conflict"
	case TooMany:
		return "too_many"
	case TooLarge:
		return "too_large"
	case Unavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// FieldError names one invalid input field and the translation key that
// explains what is wrong with it.
type FieldError struct {
	Field string `json:"field"`
	Key   string `json:"key"`
}

// Error is a failure with a kind, a translation key for the reader, and an
// optional wrapped cause that is logged but never shown.
type Error struct {
	Kind   Kind
	Key    string
	Fields []FieldError
	Err    error
}

func (e *Error) Error() string {
	msg := e.Kind.String() + ": " + e.Key
	if len(e.Fields) > 0 {
		msg += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind explained by the translation key.
func New(kind Kind, key string) *Error { return &Error{Kind: kind, Key: key} }

// Wrap returns an error of the given kind that keeps err as its cause.
func Wrap(kind Kind, key string, err error) *Error { return &Error{Kind: kind, Key: key, Err: err} }

// Fields collects field errors while validating input.
type Fields []FieldError

// Add records that field is invalid for the reason named by key.
func (f *Fields) Add(field, key string) { *f = append(*f, FieldError{Field: field, Key: key}) }

// Err returns nil when no field was reported, or an Invalid error listing them.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Key: "error.invalid", Fields: f}
}

// KindOf reports the kind of err: the kind of the first *Error in its chain,
// or Internal for any other error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the *Error in err's chain, or an Internal one wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Key: "error.internal", Err: err}
}

// Is reports whether err is a problem of the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }
