package identity

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func TestMasking(t *testing.T) {
	cases := map[string][2]string{
		"email":       {MaskEmail("ana.silva@example.com"), "a***@example.com"},
		"cjk email":   {MaskEmail("小明@example.cn"), "小***@example.cn"},
		"no at":       {MaskEmail("nonsense"), "***"},
		"empty":       {MaskEmail(""), ""},
		"e164":        {MaskPhone("+4915112345678"), "+49*********78"},
		"national":    {MaskPhone("030123456"), "03*****56"},
		"short":       {MaskPhone("1234"), "***"},
		"empty tel":   {MaskPhone(""), ""},
		"wa identity": {MaskIdentity(parley.IdentityWhatsApp, "4915112345678"), "49*********78"},
		"scoped id":   {MaskIdentity(parley.IdentityMessenger, "psid-1"), "psid-1"},
	}
	for name, c := range cases {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", name, c[0], c[1])
		}
	}
}

func TestMaskContactLeavesTheOriginalAlone(t *testing.T) {
	c := &parley.Contact{Email: "ana@example.com", Phone: "+4915112345678",
		Identities: []*parley.Identity{{Kind: parley.IdentityEmail, Value: "ana@example.com"}}}
	m := MaskContact(c)
	if m.Email == c.Email || m.Identities[0].Value == c.Identities[0].Value || c.Identities[0].Value != "ana@example.com" {
		t.Fatalf("masked %+v, original %+v", m, c)
	}
}

func TestFieldPolicy(t *testing.T) {
	p := DefaultFieldPolicy()
	if !p.Unmasked(parley.RoleSupervisor) || p.Unmasked(parley.RoleAgent) {
		t.Fatalf("default policy %+v", p)
	}
	if err := (FieldPolicy{UnmaskedRoles: []parley.Role{"owner"}}).Validate(); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("unknown role: %v", err)
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"ana@example.com", "+4915112345678", "@", "a@", "小明@例子.中国", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := MaskEmail(s)
		mlocal, _, _ := strings.Cut(m, "@")
		if local, _, ok := strings.Cut(s, "@"); ok && len([]rune(local)) > 1 && strings.Contains(mlocal, local) {
			t.Fatalf("MaskEmail(%q) = %q keeps the local part", s, m)
		}
		if r := []rune(MaskPhone(s)); len([]rune(s)) > 6 {
			for _, c := range r[3 : len(r)-2] {
				if c != '*' {
					t.Fatalf("MaskPhone(%q) = %q shows the middle", s, string(r))
				}
			}
		}
	})
}
