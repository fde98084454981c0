# Sourced by scripts/test and scripts/demo: installs the Debian packages nestlab needs, once.
# Only what is missing is installed, so a prepared machine pays nothing.
NL_DEB_PACKAGES=(build-essential cmake pkg-config clang-format clang libclang-rt-14-dev
    libncurses-dev libcurl4-openssl-dev libxml2-dev libjansson-dev libssh2-1-dev libssl-dev
    golang-go golang-github-vmware-govmomi-dev golang-golang-x-crypto-dev
    openssh-client openssh-server tmux curl ca-certificates python3 time iproute2 util-linux
    dpkg-dev man-db groff-base zsh clang-tidy)

nl_install_deps() {
    local missing=()
    local p
    for p in "${NL_DEB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "nestlab: installing missing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || {
        echo "nestlab: could not install ${missing[*]}; install them with apt-get and run again." >&2
        return 1
    }
}
