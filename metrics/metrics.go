// Package metrics holds the Prometheus collectors every part of Parley
// reports to, so that /metrics shows one consistent set of names.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry is Parley's own registry (not the global default), so tests can
// run several servers in one process.
var Registry = prometheus.NewRegistry()

var (
	// InboundAccepted counts webhook events durably enqueued, per platform.
	InboundAccepted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_inbound_accepted_total", Help: "Inbound events durably enqueued.",
	}, []string{"platform"})
	// InboundRejected counts webhooks refused, per platform and reason (signature, malformed, too_large, unavailable).
	InboundRejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_inbound_rejected_total", Help: "Inbound webhooks refused.",
	}, []string{"platform", "reason"})
	// InboundProcessed counts events stored by the processor, per platform and outcome (stored, duplicate).
	InboundProcessed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_inbound_processed_total", Help: "Inbound events processed.",
	}, []string{"platform", "outcome"})
	// QueueLag is the time from webhook receipt to the event being stored.
	QueueLag = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "parley_inbound_queue_lag_seconds", Help: "Webhook receipt to stored.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
	})
	// IngestDuration is how long one inbound transaction (group commit) takes.
	IngestDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "parley_ingest_transaction_seconds", Help: "Duration of one inbound group-commit transaction.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	// IngestBatchSize is how many inbound events one transaction carried.
	IngestBatchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "parley_ingest_transaction_events", Help: "Inbound events per group-commit transaction.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 11),
	})
	// QueuePending is the number of events waiting in each stream.
	QueuePending = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "parley_queue_pending", Help: "Messages waiting in a stream.",
	}, []string{"stream"})
	// OutboundSent counts messages sent, per platform.
	OutboundSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_outbound_sent_total", Help: "Outbound messages accepted by the platform.",
	}, []string{"platform"})
	// SendFailures counts failed send attempts, per platform and class (transient, rate_limited, permanent, auth).
	SendFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_send_failures_total", Help: "Failed send attempts.",
	}, []string{"platform", "class"})
	// HTTPDuration is the latency of HTTP requests, per route pattern and status code.
	HTTPDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "parley_http_request_duration_seconds", Help: "HTTP request latency.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"route", "code"})
	// WebSocketClients is the number of connected agent sockets on this node.
	WebSocketClients = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "parley_websocket_clients", Help: "Connected WebSocket clients on this node.",
	})
	// FileBytesStored counts bytes written to the attachment store, per
	// source (upload, inbound, email).
	FileBytesStored = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_file_bytes_stored_total", Help: "Bytes written to the attachment store.",
	}, []string{"source"})
	// MediaFetchFailures counts inbound media that could not be copied into
	// the store, per platform and error code (too_large, forbidden, not_found
	// are final; unavailable and internal are retried).
	MediaFetchFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_media_fetch_failures_total", Help: "Inbound media fetches that failed.",
	}, []string{"platform", "code"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		InboundAccepted, InboundRejected, InboundProcessed, QueueLag, QueuePending, IngestDuration, IngestBatchSize,
		OutboundSent, SendFailures, HTTPDuration, WebSocketClients, FileBytesStored, MediaFetchFailures,
	)
}
