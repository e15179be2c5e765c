// Linux's readiness API, which Swift's Glibc module does not export: the HTTP server's I/O loops (IOLoop.swift).
#include <sys/epoll.h>
#include <sys/eventfd.h>
