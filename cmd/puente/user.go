package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"puente/internal/access"
	"puente/internal/account"
	"puente/internal/admin"
	"puente/internal/audit"
	"puente/internal/password"
	"puente/internal/problem"
)

// stdin is replaced in tests.
var stdin io.Reader = os.Stdin

const userAddHelp = `Usage: puente user add --email EMAIL --name NAME --role ROLE[,ROLE…]
                       (--org ID | --new-org NAME --country US|MX --kind KIND)
                       [--lang en|es] [--password-stdin] [--data DIR] [--db URL]

Creates a user without the web app: the first administrator of a new
deployment, or an administrator locked out of the web app. With
--password-stdin the password is read from the first line of standard
input; without it a strong password is generated and printed once.

Roles: admin, supervisor, caseworker, screener, hotline_operator, analyst.
Kinds: ngo, shelter, legal, medical, mental_health, labor_rights, hotline,
       law_enforcement, government, consulate.

Examples:
  puente user add --email ana@example.org --name "Ana Pérez" --role admin \
      --new-org "Casa Ejemplo" --country MX --kind shelter
  echo "$PASSWORD" | puente user add --email luis@example.org \
      --name "Luis Ortega" --role caseworker,screener --org 3 --password-stdin
`

func runUser(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(out, userAddHelp)
		if len(args) == 0 {
			return errors.New("user: missing subcommand (add)")
		}
		return nil
	}
	switch args[0] {
	case "reset-2fa":
		return runReset2FA(ctx, args[1:], out, errOut)
	case "confirm":
		return runUserConfirm(ctx, args[1:], out, errOut)
	case "add":
	default:
		return fmt.Errorf("user: unknown subcommand %q (want add, confirm or reset-2fa)", args[0])
	}
	fs := newFlagSet("user add", userAddHelp, out)
	var d dataFlags
	d.register(fs)
	email := fs.String("email", "", "the user's `email`, used to sign in")
	name := fs.String("name", "", "the user's full `name`")
	roles := fs.String("role", "", "comma-separated `roles`")
	orgID := fs.Int64("org", 0, "`id` of an existing organization")
	newOrg := fs.String("new-org", "", "create an organization with this `name` for the user")
	country := fs.String("country", "", "with --new-org: `US or MX`")
	kind := fs.String("kind", "", "with --new-org: the organization's `kind`")
	lang := fs.String("lang", "", "preferred `language`: en or es (default: follow the browser)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("user add: unexpected argument %q", fs.Arg(0))
	}
	if (*orgID == 0) == (*newOrg == "") {
		return errors.New("user add: give exactly one of --org ID or --new-org NAME")
	}
	u := account.User{Email: *email, Name: *name, Lang: *lang}
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			u.Roles = append(u.Roles, account.Role(r))
		}
	}
	pw, generated, err := readPassword(*pwStdin)
	if err != nil {
		return err
	}
	if key := password.Check(pw, u.Email, u.Name); key != "" {
		return fmt.Errorf("user add: password refused (%s): at least %d characters, not a common password, not built on the name or email", key, password.MinLength)
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	// The operator holds the database and the keys: the policy does not
	// stand in their way, but the audit log records what they did, and
	// the account's roles are in force at once.
	svc := &admin.Service{Store: db}
	if *newOrg != "" {
		o := account.Organization{Name: *newOrg, Country: account.Country(*country), Kind: account.OrgKind(*kind)}
		if err := svc.CreateOrganization(ctx, admin.Operator, &o); err != nil {
			return fmt.Errorf("user add: organization: %s", describe(err))
		}
		fmt.Fprintf(out, "Created organization %d: %s\n", o.ID, o.Name)
		*orgID = o.ID
	}
	u.OrgID = *orgID
	if err := svc.CreateUser(ctx, admin.Operator, &u, pw); err != nil {
		return fmt.Errorf("user add: %s", describe(err))
	}
	if err := signNow(ctx, db, kr, d.data, "user add", errOut); err != nil {
		return err
	}
	fmt.Fprintf(out, "Created user %d: %s (%s)\n", u.ID, u.Email, strings.Trim(fmt.Sprint(u.Roles), "[]"))
	if generated {
		fmt.Fprintf(out, "Password (shown once; the user should change it after signing in): %s\n", pw)
	}
	return nil
}

func readPassword(fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		b := make([]byte, 15)
		if _, err := rand.Read(b); err != nil {
			return "", false, err
		}
		s := strings.ToLower(base32.StdEncoding.EncodeToString(b))
		return s[0:6] + "-" + s[6:12] + "-" + s[12:18] + "-" + s[18:24], true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", false, errors.New("user add: --password-stdin: no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

// describe turns a validation problem into one line for a terminal.
func describe(err error) string {
	pe := problem.As(err)
	if len(pe.Fields) == 0 {
		return err.Error()
	}
	var parts []string
	for _, f := range pe.Fields {
		parts = append(parts, f.Field+": "+f.Key)
	}
	return strings.Join(parts, "; ")
}

const reset2FAHelp = `Usage: puente user reset-2fa --email EMAIL [--data DIR] [--db URL]

Turns off a user's two-step verification and deletes their recovery codes,
for someone who lost their phone and their codes. It also ends all their
sessions. Verify who is asking before you run it, in person or by a channel
you already trust: this is how an impostor would try to take an account.
A user who must use a second factor is asked to set it up again at their
next sign-in. The reset is recorded in the audit log.

Example:
  puente user reset-2fa --email ana@example.org
`

func runReset2FA(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("user reset-2fa", reset2FAHelp, out)
	var d dataFlags
	d.register(fs)
	email := fs.String("email", "", "the user's `email`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addr, key := account.NormalizeEmail(*email)
	if key != "" {
		return fmt.Errorf("user reset-2fa: --email: %s", key)
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, addr)
	if err != nil {
		return fmt.Errorf("user reset-2fa: no user with that email")
	}
	err = db.Atomic(ctx, func(ctx context.Context) error {
		if err := db.DisableTOTP(ctx, u.ID); err != nil {
			return err
		}
		if err := db.EndAccess(ctx, u.ID); err != nil {
			return err
		}
		return db.AppendAudit(ctx, audit.Of(admin.Operator, time.Now(), "auth.mfa_reset", fmt.Sprintf("user:%d", u.ID),
			access.Decision{Allowed: true, Reason: "command line"}, "sessions ended, tokens revoked"))
	})
	if err != nil {
		return err
	}
	if err := signNow(ctx, db, kr, d.data, "user reset-2fa", errOut); err != nil {
		return err
	}
	fmt.Fprintf(out, "Two-step verification is off for user %d; their sessions are ended and their API tokens revoked.\n", u.ID)
	return nil
}

const userConfirmHelp = `Usage: puente user confirm --email EMAIL [--data DIR] [--db URL]

Agrees, for the user's organization, to the organization and roles an
administrator gave them, as a supervisor of that organization would in the
web app. Use it only for an organization that has no supervisor to ask,
and only after asking the organization: until then the roles do not open
its cases. The agreement is recorded in the audit log.

Example:
  puente user confirm --email luis@example.org
`

func runUserConfirm(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlagSet("user confirm", userConfirmHelp, out)
	var d dataFlags
	d.register(fs)
	email := fs.String("email", "", "the user's `email`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addr, key := account.NormalizeEmail(*email)
	if key != "" {
		return fmt.Errorf("user confirm: --email: %s", key)
	}
	db, kr, err := d.open(ctx, errOut)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, addr)
	if err != nil {
		return fmt.Errorf("user confirm: no user with that email")
	}
	if len(u.Pending()) == 0 {
		fmt.Fprintf(out, "User %d waits for nothing: their roles are in force.\n", u.ID)
		return nil
	}
	if err := (&admin.Service{Store: db}).ConfirmMembership(ctx, admin.Operator, u.ID); err != nil {
		return fmt.Errorf("user confirm: %s", describe(err))
	}
	if err := signNow(ctx, db, kr, d.data, "user confirm", errOut); err != nil {
		return err
	}
	fmt.Fprintf(out, "User %d now works in organization %d as %s.\n", u.ID, u.OrgID, strings.Trim(fmt.Sprint(u.Roles), "[]"))
	return nil
}
