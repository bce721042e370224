# fish completion for mdig-mx(1)
set -l checks mx spf dmarc probe
complete -c mdig-mx -f
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a mx -d 'MX hosts with their addresses'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a spf -d 'the SPF policy'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a dmarc -d 'the DMARC policy'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a probe -d 'the MX hosts, each tried live'
complete -c mdig-mx -s j -l json -d 'print JSON (mdig-mx/1)'
complete -c mdig-mx -s r -l resolver -x -d 'ask this resolver (IP[:PORT])'
complete -c mdig-mx -s t -l timeout -x -d 'bound on each DNS query (seconds)'
complete -c mdig-mx -l trust-ad -d 'believe the AD bit from a non-loopback resolver'
complete -c mdig-mx -s p -l probe -d 'try each MX host live'
complete -c mdig-mx -s P -l port -x -d 'probe this port instead of 25'
complete -c mdig-mx -l tls-trust-file -r -F -d 'CAs for the PKIX check'
complete -c mdig-mx -l batch -d 'read domains from stdin, one JSON line each'
complete -c mdig-mx -s c -l checks -x -a 'mx spf dmarc' -d 'the checks to make'
complete -c mdig-mx -s h -l help -d 'print usage'
