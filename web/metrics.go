package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// so that several servers (tests) do not collide.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// Imports: rows by kind of file and outcome, and each import's time.
	importRows     *prometheus.CounterVec
	importDuration *prometheus.HistogramVec
	// readsUnqueued counts the reads that waited Config.ReadWait for a
	// read slot and went ahead without one (admit.go).
	readsUnqueued prometheus.Counter
	handler       http.Handler
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partyworks_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "partyworks_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5}}, []string{"route"})
	m.importRows = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partyworks_import_rows_total",
		Help: "Rows of imported files by what was imported and the outcome: inserted, existing (unchanged), refused."}, []string{"import", "outcome"})
	m.importDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "partyworks_import_duration_seconds", Help: "Time an import took, by what was imported.",
		Buckets: []float64{.1, .5, 1, 2, 5, 10, 30, 60, 120, 300, 600}}, []string{"import"})
	m.readsUnqueued = prometheus.NewCounter(prometheus.CounterOpts{Name: "partyworks_http_reads_unqueued_total",
		Help: "Reads that waited the longest wait for a read slot and went ahead without one."})
	m.reg.MustRegister(m.requests, m.duration, m.importRows, m.importDuration, m.readsUnqueued, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(r *http.Request, status int, d time.Duration) {
	route := r.Pattern // the matched pattern, not the raw path: bounded labels
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}
