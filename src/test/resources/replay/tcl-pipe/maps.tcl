# Reads a line from stdin (so that it runs at the end of a shell pipe), then prints its own maps.
gets stdin line
set f [open /proc/self/maps r]
fconfigure $f -buffersize 1048576
set maps [read $f]
close $f
puts -nonewline $maps
