package app

import (
	"net/http"
	"net/http/pprof"
)

// startPprof serves the runtime profiles on their own listener, never on
// the public one: profiles reveal internals and cost CPU.
func (a *App) startPprof() {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.ListenAndServe(a.Config.PprofAddr, mux); err != nil {
			a.Logger.Warn("pprof listener stopped", "err", err)
		}
	}()
	a.Logger.Info("profiling enabled", "addr", a.Config.PprofAddr)
}
