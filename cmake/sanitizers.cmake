# ASan + UBSan. UBSan's vptr check is left out: it needs the RTTI of polymorphic types inside Debian's
# SOCI libraries, which those libraries do not export, so every link would fail; all other checks stay on.
if(MAXIS_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr)
endif()
