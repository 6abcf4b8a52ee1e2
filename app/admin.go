package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
)

// CreateAgent adds an agent with a password, as `parley admin create` and
// the first-admin flags do.
func CreateAgent(ctx context.Context, st parley.AgentService, email, name, password string, role parley.Role) (*parley.Agent, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || !strings.Contains(email, "@") {
		return nil, parley.Errorf(parley.EINVALID, "a valid e-mail address is required")
	}
	if len(password) < 8 {
		return nil, parley.Errorf(parley.EINVALID, "the password must have at least 8 characters")
	}
	if !role.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "unknown role %q", role)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	a := &parley.Agent{Email: email, Name: name, Role: role, Active: true, Language: "en",
		Presence: parley.PresenceOffline, PasswordHash: hash}
	if err := st.CreateAgent(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// ensureFirstAdmin makes sure someone can sign in: with no agent yet, it
// creates the admin named by the config, or prepares a one-time setup link.
func (a *App) ensureFirstAdmin(ctx context.Context) error {
	n, err := a.Store.CountAgents(ctx)
	if err != nil || n > 0 {
		return err
	}
	if a.Config.AdminEmail != "" {
		admin, err := CreateAgent(ctx, a.Store, a.Config.AdminEmail, "", a.Config.AdminPassword, parley.RoleAdmin)
		if err != nil {
			return err
		}
		a.Logger.Info("created the first admin", "email", admin.Email)
		return nil
	}
	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	a.setupToken = base64.RawURLEncoding.EncodeToString(token)
	a.SetupURL = strings.TrimRight(a.Config.PublicURL, "/") + "/setup?token=" + a.setupToken
	return nil
}
