// libxcrypt (Debian's libcrypt-dev): crypt_r and crypt_gensalt_rn, which do bcrypt ($2a$/$2b$).
#include <crypt.h>
