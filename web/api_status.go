package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"partyworks"
)

// status reads the system's status, or says there is no status page when
// the server was built without one (tests).
func (s *Server) status(r *http.Request) (*partyworks.SystemStatus, error) {
	if s.Status == nil {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "there is no status page at %s", r.URL.Path)
	}
	return s.Status(r.Context())
}

// apiStatus: the national administrator's status as JSON, for scripts
// and for comparing the nodes behind a load balancer.
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// RegisterMetrics adds collectors from outside the web package (the
// scheduled jobs of cmd/partyworks) to the server's /metrics registry.
func (s *Server) RegisterMetrics(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.metrics.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
