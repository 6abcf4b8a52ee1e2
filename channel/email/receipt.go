package email

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/email/mailparse"
)

// receipts turns a delivery report into one receipt on the message we sent:
// failed if any recipient failed (with every failure's code and reason),
// delivered if the report confirms delivery. A delay notice changes nothing.
func (a *Adapter) receipts(m *mailparse.Mail) []*parley.InboundEvent {
	r := m.Report
	if r.OriginalMessageID == "" {
		a.Logger.Warn("email: delivery report without the original Message-ID", "channel", a.channel.ID, "message_id", m.MessageID)
		return []*parley.InboundEvent{}
	}
	var failed, delivered []mailparse.RecipientStatus
	for _, rc := range r.Recipients {
		switch rc.Action {
		case "failed":
			failed = append(failed, rc)
		case "delivered", "relayed", "expanded":
			delivered = append(delivered, rc)
		}
	}
	ev := &parley.InboundEvent{
		Kind:       parley.InboundReceipt,
		ChannelID:  a.channel.ID,
		Platform:   parley.PlatformEmail,
		ExternalID: m.MessageID,
		Direction:  parley.DirectionOut,
		Timestamp:  a.timestamp(m.Date),
		Targets:    []string{r.OriginalMessageID},
	}
	switch {
	case len(failed) > 0:
		ev.Status = parley.MessageFailed
		ev.FailureCode = failed[0].Status
		ev.FailureReason = failureReason(failed)
		ev.Sender = parley.Sender{Kind: parley.IdentityEmail, ID: FoldAddress(failed[0].Recipient)}
	case len(delivered) > 0:
		ev.Status = parley.MessageDelivered
		ev.Sender = parley.Sender{Kind: parley.IdentityEmail, ID: FoldAddress(delivered[0].Recipient)}
	default:
		return []*parley.InboundEvent{}
	}
	return []*parley.InboundEvent{ev}
}

// failureReason says, per failed recipient, what the remote server said.
func failureReason(failed []mailparse.RecipientStatus) string {
	parts := make([]string, 0, len(failed))
	for _, rc := range failed {
		why := rc.Diagnostic
		if why == "" {
			why = "status " + rc.Status
		}
		parts = append(parts, rc.Recipient+": "+why)
	}
	return strings.Join(parts, "; ")
}

// attachments describes the mail's files on the event and, when the adapter
// has SaveAttachment, stores their bytes. A file that cannot be stored is
// still listed (without a storage key) so the agent knows it existed.
func (a *Adapter) attachments(ctx context.Context, m *mailparse.Mail) []parley.Attachment {
	var out []parley.Attachment
	add := func(p mailparse.Part, platformID string) {
		att := parley.Attachment{Type: attachmentType(p.ContentType), ContentType: p.ContentType,
			Filename: p.Filename, Size: int64(len(p.Data)), PlatformID: platformID}
		if a.SaveAttachment != nil {
			key, err := a.SaveAttachment(ctx, att, p.Data)
			if err != nil {
				a.Logger.Error("email: storing attachment failed", "channel", a.channel.ID, "message_id", m.MessageID, "filename", p.Filename, "err", err)
			}
			att.StorageKey = key
		}
		out = append(out, att)
	}
	for _, p := range m.Inline {
		add(p, "cid:"+p.ContentID) // lets the UI resolve <img src="cid:…"> in the HTML
	}
	for _, p := range m.Attachments {
		add(p, "")
	}
	return out
}

// attachmentType maps a media type to Parley's attachment types.
func attachmentType(contentType string) string {
	major, _, _ := strings.Cut(contentType, "/")
	switch major {
	case "image", "audio", "video":
		return major
	}
	return "file"
}
