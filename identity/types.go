package identity

import (
	"encoding/json"
	"time"

	"github.com/parleyhq/parley"
)

// Evidence is one reason two contacts may be the same person, phrased so
// an agent can judge it ("e-mail ana@example.com typed in a chat").
type Evidence struct {
	Kind   string `json:"kind"`   // email, phone, name_company
	Value  string `json:"value"`  // the shared value
	Detail string `json:"detail"` // where each side has it, in English
	// Source and OtherSource say where this contact and the other one have
	// the value (one of the Source* codes), so a client can say it in its
	// own language; empty for name_company.
	Source      string `json:"source,omitempty"`
	OtherSource string `json:"other_source,omitempty"`
}

// Where a contact has an e-mail address or phone number.
const (
	SourceVerifiedIdentity   = "verified_identity"   // a platform vouched for it
	SourceUnverifiedIdentity = "unverified_identity" // an identity no platform vouched for
	SourceContactRecord      = "contact_record"      // typed on the contact by an agent or an import
	SourceClaim              = "claim"               // typed by the customer in a conversation
)

// SourceText is the English phrase of a Source* code for a value of kind
// (email, phone), as Evidence.Detail says it.
func SourceText(kind, source string) string {
	switch source {
	case SourceVerifiedIdentity:
		return "verified " + kind + " identity"
	case SourceUnverifiedIdentity:
		return "unverified " + kind + " identity"
	case SourceContactRecord:
		return kind + " on the contact record"
	case SourceClaim:
		return "typed by the customer (unverified)"
	}
	return source
}

// Suggestion offers another contact as "possibly the same person". It is
// never acted on automatically: an agent decides and merges.
type Suggestion struct {
	Contact  *parley.Contact `json:"contact"`
	Evidence []Evidence      `json:"evidence"`
}

// Claim is an identifier a contact gave without the platform vouching for
// it (an e-mail typed into a chat, a phone in a form). Claims never link
// contacts; they only produce suggestions.
type Claim struct {
	ContactID int64               `json:"contact_id"`
	Kind      parley.IdentityKind `json:"kind"`
	Value     string              `json:"value"`
	ChannelID int64               `json:"channel_id,omitempty"`
	CreatedAt time.Time           `json:"created_at"`
}

// AttributeConflict is a field both merged contacts had with different
// values. MergeRule says which one was kept; the other stays in the merge
// record (and comes back on undo).
type AttributeConflict struct {
	Field     string `json:"field"`
	Kept      string `json:"kept"`
	Discarded string `json:"discarded"`
}

// MergeRule is the rule merges resolve conflicts by, stated in every result.
const MergeRule = "survivor wins; empty survivor fields are filled from the source; " +
	"the source's differing values are kept in the merge record; for consent the most recent decision wins"

// MergeResult is what merging source into survivor did.
type MergeResult struct {
	MergeID       int64               `json:"merge_id"`
	SurvivorID    int64               `json:"survivor_id"`
	SourceID      int64               `json:"source_id"`
	Survivor      *parley.Contact     `json:"survivor"`
	Identities    int                 `json:"identities_moved"`
	Conversations int                 `json:"conversations_moved"`
	Consents      int                 `json:"consents_moved"`
	Conflicts     []AttributeConflict `json:"conflicts"`
	Rule          string              `json:"rule"`
	CreatedAt     time.Time           `json:"created_at"`
}

// Consent purposes. Service replies to a customer who wrote in never need
// consent; proactive outbound does.
const (
	PurposeMarketing    = "marketing"
	PurposeNotification = "notification"
)

// Consent is one opt-in or opt-out of a contact, per platform and purpose
// (e.g. WhatsApp marketing). Without a record the answer is "no": proactive
// outbound is opt-in.
type Consent struct {
	ContactID int64           `json:"contact_id"`
	Platform  parley.Platform `json:"platform"`
	Purpose   string          `json:"purpose"`
	Granted   bool            `json:"granted"`
	Source    string          `json:"source,omitempty"` // where the decision was given: "web form", "agent", …
	UpdatedAt time.Time       `json:"updated_at"`
}

// Link joins two tickets of one customer: "continuity" when the customer
// wrote on another channel while a ticket was open, "repeat" when they came
// back within the repeat window after a ticket was resolved.
type Link struct {
	ConversationID int64     `json:"conversation_id"`
	LinkedID       int64     `json:"linked_id"`
	Reason         string    `json:"reason"`
	CreatedAt      time.Time `json:"created_at"`
}

// Link reasons.
const (
	LinkContinuity = "continuity"
	LinkRepeat     = "repeat"
)

// CSATHistory is the contact's satisfaction ratings. Surveys do not exist
// yet, so Available is false and Items empty; the field is there so
// clients need not change when they arrive.
type CSATHistory struct {
	Available bool   `json:"available"`
	Note      string `json:"note,omitempty"` // English
	// NoteCode names the note (CSATNoSurveys) for clients in other languages.
	NoteCode string            `json:"note_code,omitempty"`
	Items    []json.RawMessage `json:"items"`
}

// TimelineEntry is one message of the customer's story across channels;
// ChannelID and Platform mark where it was written.
type TimelineEntry struct {
	MessageID      int64              `json:"message_id"`
	ConversationID int64              `json:"conversation_id"`
	ChannelID      int64              `json:"channel_id"`
	Platform       parley.Platform    `json:"platform"`
	Direction      parley.Direction   `json:"direction"`
	Kind           parley.MessageKind `json:"kind"`
	Body           string             `json:"body"`
	At             time.Time          `json:"at"`
}

// View360 is everything known about a contact in one answer.
type View360 struct {
	Contact       *parley.Contact        `json:"contact"` // with identities, attributes, tier, language
	Claims        []Claim                `json:"claims"`
	Conversations []*parley.Conversation `json:"conversations"` // every ticket on every channel, newest first
	Timeline      []TimelineEntry        `json:"timeline"`      // the latest messages of all tickets, oldest first
	Links         []Link                 `json:"links"`
	RepeatCount   int                    `json:"repeat_count"`
	Consents      []Consent              `json:"consents"`
	CSAT          CSATHistory            `json:"csat"`
	External      *LookupResult          `json:"external,omitempty"`
}

// CSATNoSurveys is the note code of a CSAT history before surveys exist.
const CSATNoSurveys = "no_surveys"

// NoSurveys is the CSAT history until surveys exist.
func NoSurveys() CSATHistory {
	return CSATHistory{Note: "no surveys have been sent yet: CSAT appears here once surveys exist", NoteCode: CSATNoSurveys, Items: []json.RawMessage{}}
}

// Export is everything stored about a contact, for a data-subject access
// request.
type Export struct {
	Format        string                 `json:"format"` // "parley.contact-export.v1"
	GeneratedAt   time.Time              `json:"generated_at"`
	Contact       *parley.Contact        `json:"contact"`
	Claims        []Claim                `json:"claims"`
	Consents      []Consent              `json:"consents"`
	Conversations []*parley.Conversation `json:"conversations"`
	Messages      []*parley.Message      `json:"messages"`
	Links         []Link                 `json:"links"`
	Merges        []MergeResult          `json:"merges"`
	External      json.RawMessage        `json:"external_cache,omitempty"` // cached answer of the company's systems
}

// ExportFormat names the export's shape.
const ExportFormat = "parley.contact-export.v1"

// ErasureReport says what erasing a contact did. The contact row, its
// tickets and their messages stay as anonymous husks so that counts and
// reports still add up; everything that could identify the person is gone.
type ErasureReport struct {
	ContactID     int64 `json:"contact_id"`
	Conversations int   `json:"conversations_anonymised"`
	Messages      int   `json:"messages_anonymised"`
	Identities    int   `json:"identities_deleted"`
	// AttachmentKeys are the storage keys of the erased messages' files,
	// for the attachment store to delete (the database no longer names them).
	AttachmentKeys []string  `json:"attachment_keys"`
	ErasedAt       time.Time `json:"erased_at"`
}

// ErasedName is what an erased contact is called.
const ErasedName = "Erased contact"

// Dismissal records that an agent judged two contacts to be different
// people: neither is suggested for the other again. MergeID is set when a
// merge carried it over from a merged-away contact.
type Dismissal struct {
	ContactID int64     `json:"contact_id"`
	OtherID   int64     `json:"other_id"`
	AgentID   *int64    `json:"agent_id,omitempty"`
	MergeID   *int64    `json:"merge_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
