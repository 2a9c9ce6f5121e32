// Package wiring builds Puente's services over a store and a keyring, for
// the web server. cmd/puente wires the real server with it, and the browser
// tests the one they drive; nothing else reaches the store's concrete type.
package wiring

import (
	"time"

	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/auth"
	"puente/internal/casework"
	"puente/internal/directory"
	"puente/internal/interview"
	"puente/internal/password"
	"puente/internal/practice"
	"puente/internal/screening"
	"puente/internal/secret"
	"puente/internal/signin"
	"puente/internal/store"
	"puente/internal/web"
)

// Options tune the services; the zero value is the production setting.
type Options struct {
	Now      func() time.Time // the services' clock; nil for time.Now
	Password password.Params  // argon2id cost; zero for password.Default
	Timeouts auth.Timeouts    // session timeouts; zero for auth.DefaultTimeouts
}

// Services builds every service the web server takes, over db and kr.
func Services(db *store.DB, kr *secret.Keyring, o Options) web.Services {
	if o.Now == nil {
		o.Now = time.Now
	}
	gate := password.NewGate(password.GateLimits{})
	return web.Services{
		Cases:      &casework.Service{Store: db, Now: o.Now},
		Referrals:  &casework.Referrals{Store: db, Now: o.Now},
		Screenings: &interview.Service{Store: db, Protocol: screening.Load(), Now: o.Now},
		Admin:      &admin.Service{Store: db, Now: o.Now, Password: o.Password, Gate: gate},
		SignIn:     &signin.Service{Store: db, Now: o.Now, Password: o.Password, Timeouts: o.Timeouts, Gate: gate},
		Directory:  &directory.Keeper{Store: db, Now: o.Now},
		Practice:   &practice.Library{Store: db},
		Audit:      &audit.Log{Store: db, Key: kr.Derive(audit.ChainKeyPurpose), Now: o.Now},
		Ready:      db.Ping,
	}
}
