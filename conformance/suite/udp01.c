/* udp01: UDP over loopback: sendto/recvfrom, connected datagram sockets, message boundaries. */
#include "tst.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

void tst_run(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	TEST_TRUE("socket", a >= 0 && b >= 0, "two UDP sockets");
	struct sockaddr_in addr = { 0 };
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	TEST_OK("bind", bind(a, (struct sockaddr *)&addr, sizeof addr));
	socklen_t len = sizeof addr;
	SAFE(getsockname(a, (struct sockaddr *)&addr, &len));
	TEST_TRUE("sendto", sendto(b, "one", 3, 0, (struct sockaddr *)&addr, sizeof addr) == 3, "sendto 3 bytes");
	SAFE(sendto(b, "second", 6, 0, (struct sockaddr *)&addr, sizeof addr));
	char buf[32] = { 0 };
	struct sockaddr_in from;
	len = sizeof from;
	ssize_t n = recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
	TEST_TRUE("recvfrom", n == 3 && !memcmp(buf, "one", 3), "one datagram per recv: %zd", n);
	TEST_TRUE("recvfrom_addr", from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		  from.sin_port != 0, "the sender's address is given");
	n = recv(a, buf, 2, 0);
	TEST_TRUE("truncated", n == 2, "a short buffer takes the start of the datagram: %zd", n);
	TEST_OK("connect", connect(b, (struct sockaddr *)&addr, sizeof addr));
	TEST_TRUE("send_connected", send(b, "three", 5, 0) == 5, "send on a connected datagram socket");
	n = recv(a, buf, sizeof buf, 0);
	TEST_TRUE("recv_connected", n == 5 && !memcmp(buf, "three", 5),
		  "the rest of the truncated datagram was dropped: %zd", n);
	int type = 0;
	len = sizeof type;
	TEST_TRUE("so_type", getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM,
		  "SO_TYPE is SOCK_DGRAM");
	close(a);
	close(b);
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s < 0) {
		tst_res(TCONF, "ipv6", "no IPv6 sockets: %s", tst_errname(errno));
		return;
	}
	struct sockaddr_in6 six = { 0 };
	six.sin6_family = AF_INET6;
	six.sin6_addr = in6addr_loopback;
	int r = bind(s, (struct sockaddr *)&six, sizeof six);
	if (r != 0 && errno == EADDRNOTAVAIL)
		tst_res(TCONF, "ipv6", "no IPv6 loopback on this host");
	else
		TEST_TRUE("ipv6", r == 0, "an IPv6 socket binds to ::1: %s", r ? tst_errname(errno) : "ok");
	close(s);
}
