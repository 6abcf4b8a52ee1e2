package bus

import (
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/parleyhq/parley"
)

// startEmbedded runs a JetStream server inside the process. It does not
// listen on any port: the only client is this process, connected in-process.
func startEmbedded(cfg Config) (*server.Server, error) {
	opts := &server.Options{
		ServerName: cfg.NodeID,
		JetStream:  true,
		StoreDir:   cfg.DataDir,
		DontListen: true,
		NoSigs:     true,
		NoLog:      true,
		SyncAlways: cfg.SyncAlways,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, err, "embedded nats")
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, parley.Errorf(parley.EUNAVAILABLE, "embedded nats did not start in %s", cfg.DataDir)
	}
	return srv, nil
}
