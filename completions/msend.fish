# fish completion for msend(1)

function __msend_accounts
	set -l f $MKIT_CONFIG
	test -n "$f"; or set f (set -q XDG_CONFIG_HOME; and echo $XDG_CONFIG_HOME; or echo ~/.config)/mkit/config
	test -r $f; or set f ~/.msmtprc
	test -r $f; and awk '$1 == "account" && $2 != "default" { print $2 }' $f
end

set -l onoff 'on off'
complete -c msend -s t -l read-recipients -d 'add recipients from To, Cc, Bcc'
complete -c msend -s i -d 'a lone dot does not end input'
complete -c msend -o oi -d 'a lone dot does not end input'
complete -c msend -s f -x -d 'envelope sender'
complete -c msend -s r -x -d 'envelope sender'
complete -c msend -l from -x -d 'envelope sender'
complete -c msend -l read-envelope-from -d 'envelope sender from the From header'
complete -c msend -s F -x -d 'full name for an added From header'
complete -c msend -s N -l dsn-notify -x -a 'never success failure delay failure,delay' -d 'DSN notify'
complete -c msend -s R -l dsn-return -x -a 'full hdrs' -d 'DSN return'
complete -c msend -s V -x -d 'DSN envelope id'
complete -c msend -l partial -d 'deliver to the accepted recipients'
complete -c msend -s a -l account -x -a '(__msend_accounts)' -d account
complete -c msend -s C -l config -r -F -d 'configuration file'
complete -c msend -l file -r -F -d 'configuration file'
complete -c msend -l host -x -a '(__fish_print_hostnames)' -d 'SMTP server'
complete -c msend -l port -x -d port
complete -c msend -l tls -x -a $onoff -d 'use TLS'
complete -c msend -l tls-starttls -x -a $onoff -d 'TLS through STARTTLS'
complete -c msend -l tls-trust-file -r -F -d 'CA certificates'
complete -c msend -l tls-fingerprint -x -d 'pinned certificate SHA-256'
complete -c msend -l tls-certcheck -x -a $onoff -d 'verify the certificate'
complete -c msend -l tls-cert-file -r -F -d 'client certificate'
complete -c msend -l tls-key-file -r -F -d 'client key'
complete -c msend -l tls-min-version -x -a '1.2 1.3' -d 'minimum TLS version'
complete -c msend -l auth -x -a 'on off plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256 xoauth2 oauthbearer' -d authenticate
complete -c msend -l user -x -d 'login name'
complete -c msend -l passwordeval -x -d 'command printing the password'
complete -c msend -l allow-plaintext-auth -x -a $onoff -d 'PLAIN/LOGIN without TLS'
complete -c msend -l domain -x -d 'EHLO name'
complete -c msend -l timeout -x -d 'network timeout'
complete -c msend -l connect-timeout -x -d 'connect timeout'
complete -c msend -l proxy-host -x -a '(__fish_print_hostnames)' -d 'SOCKS5 proxy'
complete -c msend -l proxy-port -x -d 'SOCKS5 proxy port'
complete -c msend -l set-from-header -x -a 'auto on off' -d 'From header'
complete -c msend -l set-date-header -x -a 'auto off' -d 'Date header'
complete -c msend -l set-msgid-header -x -a 'auto off' -d 'Message-ID header'
complete -c msend -l remove-bcc-headers -x -a $onoff -d 'remove Bcc'
complete -c msend -l undisclosed-recipients -x -a $onoff -d 'hide recipients'
complete -c msend -l aliases -r -F -d 'aliases file'
complete -c msend -s X -l logfile -r -F -d 'log file'
complete -c msend -l syslog -x -a 'on off LOG_MAIL LOG_USER LOG_LOCAL0' -d 'log to syslog'
complete -c msend -l batch -d 'send an mboxrd stream'
complete -c msend -l probe -d 'show what the server offers'
complete -c msend -l serverinfo -d 'show what the server offers'
complete -c msend -o bs -d 'speak SMTP on stdin/stdout'
complete -c msend -o bp -d 'list the queue'
complete -c msend -s q -d 'deliver the queued messages that are due'
complete -c msend -l flush -d 'deliver the queued messages that are due'
complete -c msend -l flush-all -d 'deliver every queued message now'
complete -c msend -l queue -xa 'on off' -d 'queue on a temporary failure'
complete -c msend -o bm -d 'send (default)'
complete -c msend -l json -d 'JSON output'
complete -c msend -s v -s d -l verbose -d 'protocol transcript'
complete -c msend -s h -l help -d help
complete -c msend -l version -d version
