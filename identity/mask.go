package identity

import (
	"slices"
	"strings"

	"github.com/parleyhq/parley"
)

// FieldPolicy decides which roles see a contact's reachable details
// (e-mail addresses, phone numbers, identity values, data from the
// company's systems) unmasked. The API applies it to every contact it
// returns, so hiding does not depend on the UI.
type FieldPolicy struct {
	// UnmaskedRoles see contact details in full.
	UnmaskedRoles []parley.Role `json:"unmasked_roles"`
}

// DefaultFieldPolicy lets admins and supervisors see everything; agents see
// masked e-mail addresses and phone numbers.
func DefaultFieldPolicy() FieldPolicy {
	return FieldPolicy{UnmaskedRoles: []parley.Role{parley.RoleAdmin, parley.RoleSupervisor}}
}

// Unmasked reports whether role sees contact details in full.
func (p FieldPolicy) Unmasked(role parley.Role) bool {
	return slices.Contains(p.UnmaskedRoles, role)
}

// Validate rejects unknown roles.
func (p FieldPolicy) Validate() error {
	for _, r := range p.UnmaskedRoles {
		if !r.Valid() {
			return parley.Errorf(parley.EINVALID, "unknown role %q", r)
		}
	}
	return nil
}

// MaskContact returns a copy of c with e-mail addresses and phone numbers
// masked, in its fields and its identities. c itself is not changed (it
// may be shared, e.g. with an event).
func MaskContact(c *parley.Contact) *parley.Contact {
	if c == nil {
		return nil
	}
	m := *c
	m.Email = MaskEmail(c.Email)
	m.Phone = MaskPhone(c.Phone)
	m.Identities = make([]*parley.Identity, len(c.Identities))
	for i, id := range c.Identities {
		cp := *id
		cp.Value = MaskIdentity(id.Kind, id.Value)
		m.Identities[i] = &cp
	}
	return &m
}

// MaskIdentity masks the value of an identity of a reachable kind.
func MaskIdentity(kind parley.IdentityKind, v string) string {
	switch kind {
	case parley.IdentityEmail:
		return MaskEmail(v)
	case parley.IdentityPhone, parley.IdentityWhatsApp:
		return MaskPhone(v)
	}
	return v
}

// MaskEmail keeps the first character and the domain: a***@example.com.
func MaskEmail(v string) string {
	if v == "" {
		return ""
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" {
		return "***"
	}
	r := []rune(local)
	return string(r[0]) + "***@" + domain
}

// MaskPhone keeps the country prefix's first digits and the last two:
// +49******67.
func MaskPhone(v string) string {
	r := []rune(v)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 4 {
		return "***"
	}
	head := 3
	if r[0] != '+' {
		head = 2
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-2) + string(r[len(r)-2:])
}
