# bc20-device-xs: @agoric/xsnap's own worker (its xsnap-worker.mk, its XS
# sources, its flags and message protocol) with two changes, both in
# device-xs.c: the machine is created with the sizes the runner passes in the
# environment (the manifest's `creation`), and JavaScript can read the peak
# stack depth. xsnap-worker.c is compiled unchanged except that its call to
# fxCreateMachine is renamed to deviceCreateMachine.
#
# Run by test/device/device-xs-build.ts:
#   make -C <xsnap>/xsnap-native/xsnap/makefiles/lin -f <this file> \
#     MODDABLE=<xsnap>/moddable BUILD_DIR=<cache> NAME=bc20-device-xs GOAL=release ...
DEVICE_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))

include $(CURDIR)/xsnap-worker.mk

VPATH += $(DEVICE_DIR)
OBJECTS += $(TMP_DIR)/device-xs.o
$(BIN_DIR)/$(NAME): $(TMP_DIR)/device-xs.o
$(TMP_DIR)/device-xs.o: $(DEVICE_DIR)/device-xs.mk $(SRC_DIR)/xsAll.h $(INC_DIR)/xs.h
$(TMP_DIR)/xsnap-worker.o: C_OPTIONS += -DfxCreateMachine=deviceCreateMachine
