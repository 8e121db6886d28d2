/* socket01: TCP over loopback: bind, listen, connect, accept, send/recv, shutdown, errors. */
#include "tst.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

void tst_run(void)
{
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	TEST_TRUE("socket", srv >= 0, "a TCP socket: %d", srv);
	int one = 1;
	TEST_OK("reuseaddr", setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	struct sockaddr_in addr = loopback(0);
	TEST_OK("bind", bind(srv, (struct sockaddr *)&addr, sizeof addr));
	socklen_t len = sizeof addr;
	TEST_OK("getsockname", getsockname(srv, (struct sockaddr *)&addr, &len));
	unsigned short port = ntohs(addr.sin_port);
	TEST_TRUE("ephemeral_port", port > 0 && addr.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		  "port 0 picks a port: %d", port);
	TEST_OK("listen", listen(srv, 8));
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = loopback(port);
	TEST_OK("connect", connect(cli, (struct sockaddr *)&to, sizeof to));
	struct sockaddr_in peer;
	len = sizeof peer;
	int conn = accept(srv, (struct sockaddr *)&peer, &len);
	TEST_TRUE("accept", conn >= 0 && peer.sin_family == AF_INET &&
		  peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "accept gives the peer 127.0.0.1: %d", conn);
	struct sockaddr_in pn;
	len = sizeof pn;
	TEST_TRUE("getpeername", getpeername(cli, (struct sockaddr *)&pn, &len) == 0 && ntohs(pn.sin_port) == port,
		  "the client's peer is the server's port");
	TEST_TRUE("send", send(cli, "hello", 5, 0) == 5, "send 5 bytes");
	char buf[16] = { 0 };
	TEST_TRUE("recv", recv(conn, buf, sizeof buf, 0) == 5 && !strcmp(buf, "hello"), "recv: %s", buf);
	TEST_TRUE("write_read", write(conn, "back", 4) == 4 && read(cli, buf, 4) == 4 && !memcmp(buf, "back", 4),
		  "read/write work on sockets");
	TEST_OK("nodelay", setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	int type = 0;
	len = sizeof type;
	TEST_TRUE("so_type", getsockopt(cli, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM,
		  "SO_TYPE is SOCK_STREAM: %d", type);
	TEST_OK("shutdown", shutdown(cli, SHUT_WR));
	TEST_TRUE("shutdown_eof", recv(conn, buf, sizeof buf, 0) == 0, "the peer reads end of file");
	TEST_TRUE("half_open", send(conn, "x", 1, 0) == 1 && recv(cli, buf, 1, 0) == 1,
		  "the other direction still works");
	close(conn);
	close(cli);
	int other = socket(AF_INET, SOCK_STREAM, 0);
	addr = loopback(port);
	TEST_ERR("addrinuse", bind(other, (struct sockaddr *)&addr, sizeof addr), EADDRINUSE);
	close(other);
	close(srv);
	int lone = socket(AF_INET, SOCK_STREAM, 0);
	addr = loopback(0);
	SAFE(bind(lone, (struct sockaddr *)&addr, sizeof addr));
	len = sizeof addr;
	SAFE(getsockname(lone, (struct sockaddr *)&addr, &len));
	close(lone);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	TEST_ERR("refused", connect(cli, (struct sockaddr *)&addr, sizeof addr), ECONNREFUSED);
	close(cli);
	TEST_ERR("bad_family", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	TEST_ERR("notsock", listen(0, 1), ENOTSOCK);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	TEST_ERR("not_connected", recv(cli, buf, 1, 0), ENOTCONN);
	close(cli);
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (geteuid() != 0)
		TEST_TRUE("raw_refused", raw == -1 && (errno == EPERM || errno == EPROTONOSUPPORT ||
			  errno == EACCES), "raw sockets need privilege: %s", tst_errname(errno));
	else
		tst_res(TCONF, "raw_refused", "root may open raw sockets");
	if (raw >= 0)
		close(raw);
}
