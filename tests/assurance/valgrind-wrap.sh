#!/bin/sh
# Runs $TSR_VALGRIND_TARGET under valgrind memcheck with the arguments given:
# lets a test that takes the path of a program (the two-process CLI session)
# run that program under memcheck. A memcheck error exits 99.
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--track-origins=yes "$TSR_VALGRIND_TARGET" "$@"
