package httpapi

import (
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/identity"
)

var (
	pageParams = []param{
		{name: "cursor", typ: "string", desc: "next_cursor of the previous page"},
		{name: "limit", typ: "integer", desc: "items per page, 1–200 (default 50)"},
	}
	statusParam = param{name: "status", typ: "string", repeat: true, desc: "ticket status; repeat for several",
		enum: []string{"open", "pending", "snoozed", "resolved", "closed"}}
)

// routeTable is every endpoint Parley serves (docs/architecture.md, "HTTP
// surface"). New registers exactly these; the OpenAPI document describes
// exactly these.
func (s *Server) routeTable() []route {
	convListParams := append([]param{
		{name: "view", typ: "string", enum: []string{"mine", "unassigned", "teams", "all"}, desc: "inbox view (default all)"},
		statusParam,
		{name: "channel_id", typ: "integer"}, {name: "platform", typ: "string", enum: platformNames()},
		{name: "priority", typ: "integer", enum: []string{"0", "1", "2", "3"}}, {name: "tag", typ: "string"},
		{name: "assignee_id", typ: "integer"}, {name: "team_id", typ: "integer"}, {name: "contact_id", typ: "integer"},
		{name: "sort", typ: "string", enum: []string{"newest", "oldest_waiting", "priority"}},
	}, pageParams...)
	conv := &parley.Conversation{}
	return []route{
		// Sign-in and the signed-in agent.
		{method: "POST", path: "/api/v1/auth/login", handler: s.handleLogin,
			doc: doc{tag: "auth", summary: "Sign in with e-mail and password; sets the session cookie", body: loginRequest{}, resp: &parley.Agent{}}},
		{method: "POST", path: "/api/v1/auth/logout", handler: s.handleLogout,
			doc: doc{tag: "auth", summary: "Sign out: ends the session and clears the cookie", status: http.StatusNoContent}},
		{method: "POST", path: "/api/v1/setup", handler: s.handleSetup,
			doc: doc{tag: "auth", summary: "Create the first admin with the one-time setup token (only while no agent exists)", body: setupRequest{}, status: http.StatusCreated, resp: &parley.Agent{}}},
		{method: "GET", path: "/api/v1/me", access: accessAgent, handler: s.handleGetMe,
			doc: doc{tag: "auth", summary: "The signed-in agent", resp: &parley.Agent{}}},
		{method: "PATCH", path: "/api/v1/me", access: accessAgent, handler: s.handlePatchMe,
			doc: doc{tag: "auth", summary: "Change your name, language, presence or password", body: meUpdate{}, resp: &parley.Agent{}}},

		// Tickets.
		{method: "GET", path: "/api/v1/conversations", access: accessAgent, handler: s.handleListConversations,
			doc: doc{tag: "conversations", summary: "List tickets visible to you", query: convListParams, resp: conv, list: true}},
		{method: "POST", path: "/api/v1/conversations", access: accessAgent, handler: s.handleStartConversation,
			doc: doc{tag: "conversations", summary: "Start a conversation with a contact on a channel that allows it (e-mail): the first message is queued and the ticket assigned to you", body: conversationStart{}, status: http.StatusCreated, resp: conv}},
		{method: "GET", path: "/api/v1/conversations/counts", access: accessAgent, handler: s.handleCountConversations,
			doc: doc{tag: "conversations", summary: "Badge counts of the inbox views", query: []param{{name: "status", typ: "string", repeat: true, enum: statusParam.enum, desc: "default open and pending"}}, resp: parley.ConversationCounts{}}},
		{method: "POST", path: "/api/v1/conversations/bulk", access: accessAgent, handler: s.handleBulkConversations,
			doc: doc{tag: "conversations", summary: "Apply one change to many tickets; reports each id's outcome", body: bulkRequest{}, resp: bulkResponse{}}},
		{method: "GET", path: "/api/v1/conversations/{id}", access: accessAgent, handler: s.handleGetConversation,
			doc: doc{tag: "conversations", summary: "One ticket, with its contact and whether it is unread for you", resp: conv}},
		{method: "POST", path: "/api/v1/conversations/{id}/read", access: accessAgent, handler: s.handleMarkRead,
			doc: doc{tag: "conversations", summary: "You have read the ticket up to message_id (never moves back); the platform is told the customer's message was seen where it can be", body: readRequest{}, status: http.StatusNoContent}},
		{method: "PATCH", path: "/api/v1/conversations/{id}", access: accessAgent, handler: s.handlePatchConversation,
			doc: doc{tag: "conversations", summary: "Change a ticket; 409 with the current ticket in details if version is stale", body: parley.ConversationUpdate{}, resp: conv}},
		{method: "POST", path: "/api/v1/conversations/{id}/merge", access: accessAgent, handler: s.handleMergeConversation,
			doc: doc{tag: "conversations", summary: "Merge source_id into this ticket", body: mergeRequest{}, resp: conv}},
		{method: "GET", path: "/api/v1/conversations/{id}/messages", access: accessAgent, handler: s.handleListMessages,
			doc: doc{tag: "messages", summary: "A ticket's messages, oldest first", query: pageParams, resp: &parley.Message{}, list: true}},
		{method: "POST", path: "/api/v1/conversations/{id}/messages", access: accessAgent, handler: s.handleCreateMessage,
			doc: doc{tag: "messages", summary: "Reply (kind text, queued for sending) or add an internal note", body: messageCreate{}, status: http.StatusCreated, resp: &parley.Message{}}},
		{method: "POST", path: "/api/v1/uploads", access: accessAgent, handler: s.handleUpload,
			doc: doc{tag: "messages", summary: "Upload a file (multipart field \"file\") to send with a reply; the type is sniffed from the bytes; 413 over the size limit", upload: true, status: http.StatusCreated, resp: parley.Attachment{}}},
		{method: "GET", path: "/api/v1/files/{key}", access: accessAgent, handler: s.handleGetFile,
			doc: doc{tag: "messages", summary: "A stored file, if you may see its ticket or it is your own unsent upload; only images, audio, video and PDF inline", content: "application/octet-stream"}},
		{method: "POST", path: "/api/v1/messages/{id}/retry", access: accessAgent, handler: s.handleRetryMessage,
			doc: doc{tag: "messages", summary: "Requeue a failed reply", resp: &parley.Message{}}},

		// Contacts.
		{method: "GET", path: "/api/v1/contacts", access: accessAgent, handler: s.handleListContacts,
			doc: doc{tag: "contacts", summary: "Find contacts", query: append([]param{{name: "q", typ: "string", desc: "name, e-mail or phone contains"}, {name: "tier", typ: "string"}}, pageParams...), resp: &parley.Contact{}, list: true}},
		{method: "POST", path: "/api/v1/contacts", access: accessAgent, handler: s.handleCreateContact,
			doc: doc{tag: "contacts", summary: "Create a contact", body: contactCreate{}, status: http.StatusCreated, resp: &parley.Contact{}}},
		{method: "GET", path: "/api/v1/contacts/{id}", access: accessAgent, handler: s.handleGetContact,
			doc: doc{tag: "contacts", summary: "One contact with identities", resp: &parley.Contact{}}},
		{method: "PATCH", path: "/api/v1/contacts/{id}", access: accessAgent, handler: s.handlePatchContact,
			doc: doc{tag: "contacts", summary: "Change a contact", body: parley.ContactUpdate{}, resp: &parley.Contact{}}},
		{method: "GET", path: "/api/v1/contacts/{id}/conversations", access: accessAgent, handler: s.handleContactConversations,
			doc: doc{tag: "contacts", summary: "A contact's tickets visible to you", query: pageParams, resp: conv, list: true}},

		// One customer across channels (contacts_identity.go).
		{method: "GET", path: "/api/v1/contacts/{id}/suggestions", access: accessAgent, handler: s.handleContactSuggestions,
			doc: doc{tag: "contacts", summary: "Contacts that may be the same person, with the evidence; never merged automatically", resp: identity.Suggestion{}, list: true}},
		{method: "POST", path: "/api/v1/contacts/{id}/suggestions/{otherID}/dismiss", access: accessAgent, handler: s.handleDismissSuggestion,
			doc: doc{tag: "contacts", summary: "Not the same person: the pair is never suggested again, from either side (who and when are recorded)", status: http.StatusNoContent}},
		{method: "DELETE", path: "/api/v1/contacts/{id}/suggestions/{otherID}/dismiss", access: accessAgent, handler: s.handleUndoDismissal,
			doc: doc{tag: "contacts", summary: "Undo a dismissal: the pair may be suggested again (404 if it was not dismissed)", status: http.StatusNoContent}},
		{method: "GET", path: "/api/v1/contacts/{id}/suggestions/dismissals", access: accessAgent, handler: s.handleListDismissals,
			doc: doc{tag: "contacts", summary: "The contacts this one was judged different from: with whom, by whom, when, and the merge that carried it over", resp: identity.Dismissal{}, list: true}},
		{method: "POST", path: "/api/v1/contacts/{id}/merge", access: accessAgent, handler: s.handleMergeContacts,
			doc: doc{tag: "contacts", summary: "Merge source_id into this contact; conflicts and the rule applied are in the result", body: contactMergeRequest{}, resp: identity.MergeResult{}}},
		{method: "POST", path: "/api/v1/contacts/merges/{mergeID}/undo", access: accessAgent, handler: s.handleUndoMerge,
			doc: doc{tag: "contacts", summary: "Undo a merge: both contacts come back exactly as they were", resp: identity.MergeResult{}}},
		{method: "GET", path: "/api/v1/contacts/{id}/360", access: accessAgent, handler: s.handleContact360,
			doc: doc{tag: "contacts", summary: "Everything about a contact: identities, all tickets as one timeline, consent, CSAT, the company's own data", resp: identity.View360{}}},
		{method: "GET", path: "/api/v1/contacts/{id}/consents", access: accessAgent, handler: s.handleListConsents,
			doc: doc{tag: "contacts", summary: "A contact's opt-ins and opt-outs per platform and purpose", resp: identity.Consent{}, list: true}},
		{method: "PUT", path: "/api/v1/contacts/{id}/consents", access: accessAgent, handler: s.handlePutConsent,
			doc: doc{tag: "contacts", summary: "Record an opt-in or opt-out", body: consentRequest{}, resp: identity.Consent{}}},
		{method: "GET", path: "/api/v1/contacts/{id}/consents/check", access: accessAgent, handler: s.handleCheckConsent,
			doc: doc{tag: "contacts", summary: "May proactive messages of purpose go to this contact on platform? No record means no",
				query: []param{{name: "platform", typ: "string", required: true, enum: platformNames()}, {name: "purpose", typ: "string", required: true}}, resp: consentAnswer{}}},
		{method: "GET", path: "/api/v1/contacts/{id}/export", access: accessAdmin, handler: s.handleExportContact,
			doc: doc{tag: "contacts", summary: "Data-subject export: everything stored about the contact (admin); format=zip streams a ZIP bundle", resp: identity.Export{},
				query: []param{{name: "format", typ: "string", enum: []string{"json", "zip"}, desc: "json (default) or zip: contact.json, identities.json, consents.json, merges.json, links.json, conversations/<number>/{conversation.json,messages.json,transcript.txt}, files/, manifest.json"}}}},
		{method: "POST", path: "/api/v1/contacts/{id}/erase", access: accessAdmin, handler: s.handleEraseContact,
			doc: doc{tag: "contacts", summary: "Erase a contact's personal data, keeping anonymous counts (admin); needs {\"confirm\":true}; also purges its events from the event bus (503 if that failed: send again)", body: eraseRequest{}, resp: identity.ErasureReport{}}},
		{method: "GET", path: "/api/v1/conversations/{id}/links", access: accessAgent, handler: s.handleConversationLinks,
			doc: doc{tag: "conversations", summary: "Tickets linked to this one (continuity across channels, repeat contacts)", resp: identity.Link{}, list: true}},
		{method: "GET", path: "/api/v1/settings/contact-lookup", access: accessAdmin, handler: s.handleGetLookupSettings,
			doc: doc{tag: "admin", summary: "The lookup of the company's own systems shown in the 360 view (admin)", resp: lookupSettings{}}},
		{method: "PUT", path: "/api/v1/settings/contact-lookup", access: accessAdmin, handler: s.handlePutLookupSettings,
			doc: doc{tag: "admin", summary: "Set the lookup: URL template with {email}/{phone}/{id}, auth header, timeout, cache (admin)", body: lookupSettings{}, resp: lookupSettings{}}},
		{method: "GET", path: "/api/v1/settings/field-policy", access: accessAdmin, handler: s.handleGetFieldPolicy,
			doc: doc{tag: "admin", summary: "Which roles see contact e-mail addresses and phone numbers unmasked (admin)", resp: identity.FieldPolicy{}}},
		{method: "PUT", path: "/api/v1/settings/field-policy", access: accessAdmin, handler: s.handlePutFieldPolicy,
			doc: doc{tag: "admin", summary: "Set which roles see contact details unmasked (admin; admins always do)", body: identity.FieldPolicy{}, resp: identity.FieldPolicy{}}},

		// Tags, agents, teams.
		{method: "GET", path: "/api/v1/tags", access: accessAgent, handler: s.handleListTags,
			doc: doc{tag: "admin", summary: "All tags with usage counts", query: pageParams, resp: &parley.Tag{}, list: true}},
		{method: "POST", path: "/api/v1/tags", access: accessAdmin, handler: s.handleCreateTag,
			doc: doc{tag: "admin", summary: "Create or recolour a tag (admin)", body: tagRequest{}, status: http.StatusCreated, resp: &parley.Tag{}}},
		{method: "DELETE", path: "/api/v1/tags/{name}", access: accessAdmin, handler: s.handleDeleteTag,
			doc: doc{tag: "admin", summary: "Delete a tag (admin)", status: http.StatusNoContent}},
		{method: "GET", path: "/api/v1/agents", access: accessAgent, handler: s.handleListAgents,
			doc: doc{tag: "admin", summary: "All agents", query: pageParams, resp: &parley.Agent{}, list: true}},
		{method: "POST", path: "/api/v1/agents", access: accessAdmin, handler: s.handleCreateAgent,
			doc: doc{tag: "admin", summary: "Create an agent (admin)", body: agentCreate{}, status: http.StatusCreated, resp: &parley.Agent{}}},
		{method: "PATCH", path: "/api/v1/agents/{id}", access: accessAdmin, handler: s.handlePatchAgent,
			doc: doc{tag: "admin", summary: "Change an agent, e.g. deactivate (admin)", body: agentPatch{}, resp: &parley.Agent{}}},
		{method: "GET", path: "/api/v1/teams", access: accessAgent, handler: s.handleListTeams,
			doc: doc{tag: "admin", summary: "All teams", query: pageParams, resp: &parley.Team{}, list: true}},
		{method: "POST", path: "/api/v1/teams", access: accessAdmin, handler: s.handleCreateTeam,
			doc: doc{tag: "admin", summary: "Create a team (admin)", body: teamCreate{}, status: http.StatusCreated, resp: &parley.Team{}}},
		{method: "PATCH", path: "/api/v1/teams/{id}", access: accessAdmin, handler: s.handlePatchTeam,
			doc: doc{tag: "admin", summary: "Rename a team or replace its members (admin)", body: teamPatch{}, resp: &parley.Team{}}},
		{method: "DELETE", path: "/api/v1/teams/{id}", access: accessAdmin, handler: s.handleDeleteTeam,
			doc: doc{tag: "admin", summary: "Delete a team (admin)", status: http.StatusNoContent}},

		// Canned replies (handle_canned_replies.go).
		{method: "GET", path: "/api/v1/canned-replies", access: accessAgent, handler: s.handleListCannedReplies,
			doc: doc{tag: "replies", summary: "Canned replies, by shortcut", query: []param{{name: "q", typ: "string", desc: "shortcut, title or body contains (any case)"}}, resp: &parley.CannedReply{}, list: true}},
		{method: "POST", path: "/api/v1/canned-replies", access: accessAdmin, handler: s.handleCreateCannedReply,
			doc: doc{tag: "replies", summary: "Create a canned reply (admin); 409 when the shortcut is taken", body: cannedReplyCreate{}, status: http.StatusCreated, resp: &parley.CannedReply{}}},
		{method: "PATCH", path: "/api/v1/canned-replies/{id}", access: accessAdmin, handler: s.handlePatchCannedReply,
			doc: doc{tag: "replies", summary: "Change a canned reply (admin); variants, when given, replace all", body: parley.CannedReplyUpdate{}, resp: &parley.CannedReply{}}},
		{method: "DELETE", path: "/api/v1/canned-replies/{id}", access: accessAdmin, handler: s.handleDeleteCannedReply,
			doc: doc{tag: "replies", summary: "Delete a canned reply (admin)", status: http.StatusNoContent}},

		// Channels.
		{method: "GET", path: "/api/v1/channels", access: accessAgent, handler: s.handleListChannels,
			doc: doc{tag: "channels", summary: "All channels (secrets are never returned)", query: pageParams, resp: &parley.Channel{}, list: true}},
		{method: "POST", path: "/api/v1/channels", access: accessAdmin, handler: s.handleCreateChannel,
			doc: doc{tag: "channels", summary: "Connect a channel (admin); secrets are write-only", body: channelCreate{}, status: http.StatusCreated, resp: &parley.Channel{}}},
		{method: "GET", path: "/api/v1/channels/{id}", access: accessAgent, handler: s.handleGetChannel,
			doc: doc{tag: "channels", summary: "One channel", resp: &parley.Channel{}}},
		{method: "PATCH", path: "/api/v1/channels/{id}", access: accessAdmin, handler: s.handlePatchChannel,
			doc: doc{tag: "channels", summary: "Change a channel (admin); secrets merge key by key, null deletes", body: parley.ChannelUpdate{}, resp: &parley.Channel{}}},
		{method: "DELETE", path: "/api/v1/channels/{id}", access: accessAdmin, handler: s.handleDeleteChannel,
			doc: doc{tag: "channels", summary: "Delete a channel (admin)", status: http.StatusNoContent}},
		{method: "GET", path: "/api/v1/channels/{id}/templates", access: accessAgent, handler: s.handleListTemplates,
			doc: doc{tag: "channels", summary: "The channel's message templates (WhatsApp) as last synced, for the composer's picker", resp: templateList{}}},
		{method: "POST", path: "/api/v1/channels/{id}/templates/sync", access: accessAdmin, handler: s.handleSyncTemplates,
			doc: doc{tag: "channels", summary: "Sync the channel's message templates from the platform now (admin); answers the synced list", resp: templateList{}}},

		// Connecting Meta accounts through the installation's Meta app.
		{method: "GET", path: "/api/v1/connect/meta", access: accessAdmin, handler: s.handleMetaConnectInfo,
			doc: doc{tag: "channels", summary: "Meta app settings for the connect buttons, and Graph API versions near their end of life (admin)", resp: metaConnectInfo{}}},
		{method: "GET", path: "/api/v1/connect/facebook", access: accessAdmin, handler: s.handleConnectFacebook,
			doc: doc{tag: "channels", summary: "Start connecting Facebook Pages (and their Instagram accounts): redirects to Facebook Login (admin)", status: http.StatusFound}},
		{method: "GET", path: "/api/v1/connect/facebook/callback", handler: s.handleConnectFacebookCallback,
			doc: doc{tag: "channels", summary: "Facebook Login returns here (signed state); creates or reconnects the channels, then redirects to the channel settings (JSON with Accept: application/json)",
				query: []param{{name: "code", typ: "string"}, {name: "state", typ: "string", required: true}, {name: "error", typ: "string"}, {name: "error_reason", typ: "string"}, {name: "error_description", typ: "string"}},
				resp:  facebookConnected{}}},
		{method: "GET", path: "/api/v1/connect/instagram", access: accessAdmin, handler: s.handleConnectInstagram,
			doc: doc{tag: "channels", summary: "Start connecting an Instagram professional account with Instagram Login (no Facebook Page): redirects to Instagram (admin)", status: http.StatusFound}},
		{method: "GET", path: "/api/v1/connect/instagram/callback", handler: s.handleConnectInstagramCallback,
			doc: doc{tag: "channels", summary: "Instagram Login returns here (signed state); exchanges the code for a 60-day token, subscribes the account, creates or reconnects its channel, then redirects to the channel settings (JSON with Accept: application/json)",
				query: instagramCallbackDoc, resp: facebookConnected{}}},
		{method: "POST", path: "/api/v1/connect/whatsapp", access: accessAdmin, handler: s.handleConnectWhatsApp,
			doc: doc{tag: "channels", summary: "Finish WhatsApp Embedded Signup: exchange the code, register the number, create the channel, subscribe its webhooks (admin)", body: whatsAppConnect{}, status: http.StatusCreated, resp: &parley.Channel{}}},

		// API tokens and search.
		{method: "GET", path: "/api/v1/tokens", access: accessAgent, handler: s.handleListTokens,
			doc: doc{tag: "auth", summary: "Your API tokens (prefixes only)", query: pageParams, resp: &parley.APIToken{}, list: true}},
		{method: "POST", path: "/api/v1/tokens", access: accessAgent, handler: s.handleCreateToken,
			doc: doc{tag: "auth", summary: "Create an API token; the plain value is shown only in this response", body: tokenCreate{}, status: http.StatusCreated, resp: tokenCreated{APIToken: &parley.APIToken{}}}},
		{method: "DELETE", path: "/api/v1/tokens/{id}", access: accessAgent, handler: s.handleDeleteToken,
			doc: doc{tag: "auth", summary: "Revoke one of your API tokens", status: http.StatusNoContent}},
		{method: "GET", path: "/api/v1/search", access: accessAgent, handler: s.handleSearch,
			doc: doc{tag: "conversations", summary: "Search tickets, messages and contacts visible to you", query: []param{{name: "q", typ: "string", required: true}, {name: "limit", typ: "integer", desc: "hits per group, 1–200"}}, resp: &parley.SearchResults{}}},
		{method: "GET", path: "/api/v1/ws", access: accessAgent, handler: s.handleWebSocket, checkOrigin: true,
			doc: doc{tag: "realtime", summary: "WebSocket of live domain events (upgrade)", status: http.StatusSwitchingProtocols}},
		{method: "GET", path: "/api/v1/openapi.json", handler: s.handleOpenAPI,
			doc: doc{tag: "meta", summary: "This document", content: "application/json"}},

		// Platform webhooks.
		{method: "GET", path: "/hooks/meta", handler: s.handleMetaWebhookHandshake,
			doc: doc{tag: "webhooks", summary: "Verification of the Meta app's callback URL (hub.challenge with the app's webhook verify token)", content: "text/plain"}},
		{method: "POST", path: "/hooks/meta", handler: s.handleMetaWebhook,
			doc: doc{tag: "webhooks", summary: "The Meta app's webhook: signed with the app secret; every Meta channel named in it takes its events; 200 after durable enqueue", content: "application/json"}},
		{method: "POST", path: "/hooks/meta/data-deletion", handler: s.handleMetaDataDeletion,
			doc: doc{tag: "webhooks", summary: "Meta's data-deletion callback: form field signed_request (HMAC-SHA256 with the app secret; 401 if forged); erases the user's contacts and answers the status URL and confirmation code", resp: deletionAnswer{}}},
		{method: "GET", path: "/hooks/meta/data-deletion/{code}", handler: s.handleMetaDataDeletionStatus,
			doc: doc{tag: "webhooks", summary: "Status of a data-deletion request by its confirmation code", resp: identity.DeletionRequest{}}},
		{method: "GET", path: "/hooks/{platform}/{channelID}", handler: s.handleWebhookHandshake,
			doc: doc{tag: "webhooks", summary: "Webhook URL verification (platforms with a GET handshake); 405 otherwise", content: "text/plain"}},
		{method: "POST", path: "/hooks/{platform}/{channelID}", handler: s.handleWebhook,
			doc: doc{tag: "webhooks", summary: "Platform webhook: verified, then durably enqueued before 200", content: "application/json"}},

		// Files fetched by platforms (signed, expiring links).
		{method: "GET", path: "/files/{key}", handler: s.handlePublicFile,
			doc: doc{tag: "messages", summary: "A stored file by signed link (exp, sig), for platforms that fetch a reply's media by URL; 403 forged or expired",
				query: []param{{name: "exp", typ: "integer", required: true}, {name: "sig", typ: "string", required: true}}, content: "application/octet-stream"}},

		// Operations.
		{method: "GET", path: "/metrics", handler: s.handleMetrics,
			doc: doc{tag: "meta", summary: "Prometheus metrics", content: "text/plain"}},
		{method: "GET", path: "/healthz", handler: s.handleHealthz,
			doc: doc{tag: "meta", summary: "The process is alive", resp: healthStatus{}}},
		{method: "GET", path: "/readyz", handler: s.handleReadyz,
			doc: doc{tag: "meta", summary: "The node can serve (database, bus); 503 if not", resp: healthStatus{}}},
	}
}

func platformNames() []string {
	all := []parley.Platform{parley.PlatformAPI, parley.PlatformMessenger, parley.PlatformFacebookComments, parley.PlatformInstagram,
		parley.PlatformWhatsApp, parley.PlatformWidget, parley.PlatformEmail, parley.PlatformSMS, parley.PlatformVoice, parley.PlatformTelegram}
	out := make([]string, len(all))
	for i, p := range all {
		out[i] = string(p)
	}
	return out
}
