package loadtest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// A worker talks HTTP/1.1 on its own keep-alive connection to each
// server: the request written as bytes, the answer read by net/http's own
// parser (http.ReadResponse). Go's http.Client hands each request to two
// goroutines of its transport and back; on a machine of two cores shared
// with the server, that cost about 0.09 ms of CPU a request, some 15 % of
// what a read costs the server, taken from the server. This costs a third
// of it, and the figures are the server's more than the generator's.

// requestTimeout is how long one request may take, as http.Client's
// Timeout was (a variable for tests).
var requestTimeout = 30 * time.Second

// conn is one worker's connection to one server (plain http; https goes
// through http.Client).
type conn struct {
	ctx    context.Context
	host   string // host:port
	prefix string // the URL's path, before the request's
	nc     net.Conn
	br     *bufio.Reader
	buf    []byte // the request being written
	stop   func() bool
	reused bool // nc has answered a request already
}

func newConn(ctx context.Context, base string) (*conn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, errors.ErrUnsupported
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	return &conn{ctx: ctx, host: host, prefix: u.EscapedPath()}, nil
}

func (c *conn) dial() error {
	nc, err := (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext(c.ctx, "tcp", c.host)
	if err != nil {
		return err
	}
	c.nc, c.reused = nc, false
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 32<<10)
	} else {
		c.br.Reset(nc)
	}
	// An interrupt (Ctrl-C) cuts the request in flight, as it did with
	// the request's context.
	c.stop = context.AfterFunc(c.ctx, func() { nc.Close() })
	return nil
}

func (c *conn) close() {
	if c.nc != nil {
		c.stop()
		c.nc.Close()
		c.nc = nil
	}
}

// do sends one request and returns the answer's status and, when keep is
// set, its body. A GET on a kept connection that fails before any byte of
// an answer came (the server closed or reset it while it was idle) is
// sent once more on a new one, as http.Client does.
func (c *conn) do(rq request, token string, keep bool) (int, []byte, error) {
	status, body, retry, err := c.try(rq, token, keep)
	if retry && rq.method == http.MethodGet && c.ctx.Err() == nil {
		status, body, _, err = c.try(rq, token, keep)
	}
	return status, body, err
}

func (c *conn) try(rq request, token string, keep bool) (status int, body []byte, retry bool, err error) {
	if c.nc == nil {
		if err := c.dial(); err != nil {
			return 0, nil, false, err
		}
	}
	reused := c.reused
	b := append(c.buf[:0], rq.method...)
	b = append(b, ' ')
	b = append(b, c.prefix...)
	b = append(b, rq.path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.host...)
	b = append(b, "\r\nUser-Agent: partyworks-loadtest\r\nAuthorization: Bearer "...)
	b = append(b, token...)
	if rq.body != nil {
		b = append(b, "\r\nContent-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(rq.body)), 10)
	}
	b = append(b, "\r\n\r\n"...)
	b = append(b, rq.body...)
	c.buf = b
	c.nc.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := c.nc.Write(b); err != nil {
		c.close()
		return 0, nil, reused, err
	}
	if _, err := c.br.Peek(1); err != nil {
		// Nothing came back: on a kept connection, the server may have
		// closed it while it was idle. A request that ran out of time is
		// not sent again (the server is slow, not gone).
		c.close()
		var ne net.Error
		return 0, nil, reused && !(errors.As(err, &ne) && ne.Timeout()), err
	}
	res, err := http.ReadResponse(c.br, &http.Request{Method: rq.method})
	if err != nil {
		c.close()
		return 0, nil, false, err
	}
	if keep {
		body, err = io.ReadAll(res.Body)
	} else {
		_, err = io.Copy(io.Discard, res.Body)
	}
	res.Body.Close()
	if err != nil || res.Close {
		c.close()
	} else {
		c.reused = true
	}
	if err != nil {
		return 0, nil, false, err // the answer was cut: no answer
	}
	return res.StatusCode, body, false, nil
}
