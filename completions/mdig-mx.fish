# fish completion for mdig-mx(1)
set -l checks mx spf dmarc mta-sts tls-rpt dane
complete -c mdig-mx -f
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a mx -d 'MX hosts with their addresses'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a spf -d 'the SPF policy'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a dmarc -d 'the DMARC policy'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a mta-sts -d 'the MTA-STS record and policy'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a tls-rpt -d 'the TLS reporting record'
complete -c mdig-mx -n "not __fish_seen_subcommand_from $checks" -a dane -d 'TLSA records of the MX hosts'
complete -c mdig-mx -s j -l json -d 'print JSON (mdig-mx/1)'
complete -c mdig-mx -s r -l resolver -x -d 'ask this resolver (IP[:PORT])'
complete -c mdig-mx -s t -l timeout -x -d 'bound on each DNS query (seconds)'
complete -c mdig-mx -l trust-ad -d 'believe the AD bit from a non-loopback resolver'
complete -c mdig-mx -l ip -x -d 'spf: evaluate the policy for mail from this IP'
complete -c mdig-mx -l sender -x -d 'spf --ip: the MAIL FROM address'
complete -c mdig-mx -l helo -x -a '(__fish_print_hostnames)' -d 'spf --ip: the HELO name'
complete -c mdig-mx -l tls-trust-file -r -F -d 'CA certificates for the MTA-STS policy host'
complete -c mdig-mx -s h -l help -d 'print usage'
