#!/usr/bin/env python3
"""gen_zone.py N OUTDIR: the zone and the query lists of make bench-mdig-mx.

Writes OUTDIR/test.zone (zone "test"), N mail domains d1.bench.test ...
dN.bench.test: each with one or two MX hosts (among 50 shared hosts, half
with an AAAA), an SPF record (a third plain, a third with an include, a
third with two includes, one of which includes another: a tree three
levels deep) and a DMARC record at _dmarc (every tenth domain has none,
so the policy is found at bench.test). Also OUTDIR/domains.txt (one a
line) and OUTDIR/queries.txt, "DOMAIN NAME TYPE" for every query mdig-mx
makes for that domain's MX, SPF and DMARC checks (the peers are given
exactly these); run.sh checks that mdig-mx made as many.
"""

import os
import sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
zone = ["$TTL 3600",
        "@ IN SOA ns1.bench hostmaster.bench 1 3600 600 86400 300",
        "@ IN NS ns1.bench",
        "ns1.bench IN A 127.0.0.1",
        '_dmarc.bench IN TXT "v=DMARC1; p=quarantine"']
HOSTS = 50
for k in range(HOSTS):
    zone.append("mx%d.bench IN A 192.0.2.%d" % (k, k + 1))
    if k % 2 == 0:
        zone.append("mx%d.bench IN AAAA 2001:db8::%x" % (k, k + 1))
for k in range(20):
    zone.append('_spf%d.bench IN TXT "v=spf1 ip4:203.0.113.%d/32 '
                'include:_spfb.bench.test -all"' % (k, k))
zone.append('_spfb.bench IN TXT "v=spf1 ip4:198.51.100.0/24 -all"')
spf_tree = {}
for k in range(20):
    spf_tree["_spf%d.bench.test" % k] = ["_spfb.bench.test"]
spf_tree["_spfb.bench.test"] = []

queries, domains = [], []
for i in range(1, n + 1):
    d = "d%d.bench.test" % i
    label = "d%d.bench" % i
    domains.append(d)
    mx = [i % HOSTS]
    if i % 2 == 0:
        mx.append((i + 1) % HOSTS)
    for pref, k in enumerate(mx):
        zone.append("%s IN MX %d mx%d.bench" % (label, 10 * (pref + 1), k))
    kind = i % 3
    inc = []
    if kind == 0:
        rec = "v=spf1 mx ip4:198.51.100.0/24 -all"
    elif kind == 1:
        inc = ["_spf%d.bench.test" % (i % 20)]
        rec = "v=spf1 include:%s -all" % inc[0]
    else:
        inc = ["_spf%d.bench.test" % (i % 20), "_spfb.bench.test"]
        rec = "v=spf1 include:%s include:%s ~all" % tuple(inc)
    zone.append('%s IN TXT "%s"' % (label, rec))
    if i % 10:
        zone.append('_dmarc.%s IN TXT "v=DMARC1; p=reject; '
                    'rua=mailto:dmarc@bench.test"' % label)
    # what mdig-mx asks: MX, then each host's A and AAAA
    q = [(d, "MX")]
    for k in mx:
        q += [("mx%d.bench.test" % k, "A"), ("mx%d.bench.test" % k, "AAAA")]
    # SPF: the record, each include's record (recursively), and the MX
    # lookup of an "mx" mechanism (counted, its hosts not followed)
    q.append((d, "TXT"))
    if kind == 0:
        q.append((d, "MX"))
    todo = list(inc)
    while todo:
        t = todo.pop(0)
        q.append((t, "TXT"))
        todo += spf_tree[t]
    # DMARC: _dmarc at the domain and at each ancestor, at once
    q += [("_dmarc." + d, "TXT"), ("_dmarc.bench.test", "TXT"),
          ("_dmarc.test", "TXT")]
    queries += [(d, name, t) for name, t in q]

with open(os.path.join(out, "test.zone"), "w") as f:
    f.write("\n".join(zone) + "\n")
with open(os.path.join(out, "domains.txt"), "w") as f:
    f.write("\n".join(domains) + "\n")
with open(os.path.join(out, "queries.txt"), "w") as f:
    for d, name, t in queries:
        f.write("%s %s %s\n" % (d, name, t))
