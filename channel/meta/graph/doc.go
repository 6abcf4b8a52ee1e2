// Package graph holds what every Meta channel shares (PLATFORMS.md §0): the
// channel settings, the webhook handshake and X-Hub-Signature-256 check, a
// small Graph API client, the Graph error envelope and its mapping to
// parley.SendError, reply-window rules, and a media fetcher that only talks
// to Meta's hosts.
//
// Channel configuration keys (parley.Channel.Config), shared by the Meta
// adapters:
//
//	page_id              Messenger and Facebook comments: the Page id
//	ig_account_id        Instagram: the Instagram professional account id
//	phone_number_id      WhatsApp: the business phone number id (sends go to /{id}/messages)
//	waba_id              WhatsApp: the WhatsApp Business Account id (webhook entry.id)
//	graph_version        Graph API version, default v25.0
//	graph_base_url       default https://graph.facebook.com (a fake server in tests and demos)
//	human_agent_enabled  "true" lets agents answer up to 7 days with the HUMAN_AGENT tag
//	media_hosts          comma-separated host suffixes media may be fetched from (default: Meta's CDNs)
//	instagram_login      Instagram: "true" for Instagram Login (Bearer, /{ig_account_id}/messages)
//	media_max_bytes      largest media file fetched, default 100 MiB
//	text_limit           overrides the platform's text limit (Meta's figures are UNVERIFIED)
//
// Secrets (parley.Channel.Secrets): app_secret (signs webhooks), verify_token
// (answers the hub.challenge handshake), access_token (Page, Instagram or
// WhatsApp system-user token).
package graph
