// Package messaging parses and builds the Messenger Platform shapes that
// Facebook Messenger and Instagram Direct share (PLATFORMS.md §1, §3):
// webhook "messaging"/"standby" events into canonical parley.InboundEvents,
// and Send API request bodies from parley.Messages.
//
// Canonical mapping (both platforms):
//   - message → InboundMessage, ExternalID = mid; text, attachments,
//     quick-reply payload (Metadata payload, payload_source=quick_reply),
//     reply_to.mid → ReplyTo, Instagram story replies and product referrals
//     in Metadata; is_echo (or sender = the account) → Direction out with
//     Sender = the customer (recipient), so the echo lands in their thread
//     and dedups against the sent message's mid.
//   - is_deleted → InboundDelete; message_edit → InboundEdit; both name
//     the message changed in ReplyTo and Targets (the store applies changes
//     to ReplyTo), with an ExternalID of their own ("<mid>#delete",
//     "<mid>#edit:<n>") so that two edits of one message never de-duplicate.
//   - delivery → InboundReceipt delivered (Targets = mids, Watermark);
//     read → InboundReceipt read (Watermark, or Targets = [mid] on Instagram).
//   - postback / referral → InboundMessage (Text = button title) with the
//     payload and referral fields in Metadata.
//   - reaction → InboundReaction, ReplyTo = the mid reacted to, Text = emoji,
//     Metadata reaction and action (react|unreact).
//   - events under "standby" are parsed alike with Metadata standby=true.
//
// Events without an id of their own (receipts, reactions, referrals) get a
// deterministic synthetic ExternalID so that a batch holding several of
// them de-duplicates per event, not per body.
package messaging
