package main

import (
	"net"
	"time"
)

type netDialer struct{}

func (netDialer) dial(hostport string) (net.Conn, error) {
	return net.DialTimeout("tcp", hostport, 2*time.Second)
}
